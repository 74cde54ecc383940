export { budgetTooSmall } from "./budget.js";
export { executePlan } from "./engine.js";
export type { EngineDeps } from "./engine.js";
