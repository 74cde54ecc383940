// Programmatic API: what integration tests and other tools call.
export { prepareRun, runSwarm, exitCodeFor, type Prepared, type PrepareOptions, type RunOptions } from "./pipeline.js";
export { loadConfig, type ConfigOverrides } from "./config/load.js";
export { validateConfig } from "./config/validate.js";
export { configSchema, type ResolvedConfig, type SwarmConfig } from "./config/schema.js";
export { createOpenAIProvider } from "./llm/openai-provider.js";
export { EventBus } from "./events/bus.js";
export type { SwarmEvent, RunSummary } from "./events/types.js";
export * from "./core/types.js";
export { SwarmError } from "./core/errors.js";
export { ExitCode } from "./core/exit-codes.js";
