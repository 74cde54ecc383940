export { budgetFitWarnings } from "./budget-fit.js";
export { buildPlan } from "./build-plan.js";
export { dropTasks } from "./drop-tasks.js";
export { tasksByRole } from "./tasks-by-role.js";
export { candidateTests, testedBy } from "./tested-by.js";
export { testFrameworkFor } from "./test-framework.js";
