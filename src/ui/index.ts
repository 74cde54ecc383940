export { createDashboardReporter } from "./dashboard-reporter.js";
