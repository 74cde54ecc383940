export type { Reporter } from "./types.js";
export { createGithubReporter } from "./github.js";
export { createNdjsonReporter } from "./ndjson.js";
export { createPlainReporter, type PlainStyle } from "./plain.js";
