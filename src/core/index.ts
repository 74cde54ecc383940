export * from "./types.js";
export { SwarmError, SwarmErrorCode, configError, repoStateError, usageError } from "./errors.js";
export { ExitCode, exitCodeFor } from "./exit-codes.js";
