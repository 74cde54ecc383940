export type { Baseline } from "./baseline.js";
export type { ReportValidation } from "./types.js";
export { prepareBaseline, runValidation } from "./validate-run.js";
export { validateWorkingTree } from "./working-tree.js";
export type { WorkingTreeValidation } from "./working-tree.js";
