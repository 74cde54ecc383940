// Programmatic API: what integration tests and other tools call.
export { runSample, runSwarm, type RunOptions, type SampleOptions, type SampleResult } from "./pipeline.js";
export { preparePlan, prepareRun, type Prepared, type PreparedPlan, type PrepareOptions } from "./prepare/index.js";
export { loadConfig, validateConfig, configSchema, type ConfigOverrides, type ResolvedConfig, type SwarmConfig } from "./config/index.js";
export { createOpenAIProvider } from "./llm/index.js";
export { EventBus, type SwarmEvent, type RunSummary } from "./events/index.js";
export * from "./core/index.js";
// A codemod module (`swarm run --codemod x.ts`) types its default export with these.
export type { CodemodContext, CodemodFunction } from "./codemod/index.js";
