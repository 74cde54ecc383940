export { CONFIG_FILE, DEFAULTS } from "./defaults.js";
export { loadConfig, type ConfigOverrides } from "./load.js";
export { configSchema, type ModelLimits, type ModelPrice, type ResolvedConfig, type SwarmConfig } from "./schema.js";
export { validateConfig } from "./validate.js";
