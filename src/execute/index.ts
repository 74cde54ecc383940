export { executePlan } from "./engine.js";
export type { EngineDeps } from "./engine.js";
