import { ExitCode } from "./exit-codes.js";

/** An error a user can cause: printed as one line (plus hint), never with a stack. */
export class SwarmError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint?: string;

  constructor(code: string, message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SwarmError";
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.Usage;
    this.hint = options.hint;
  }
}

export const usageError = (message: string, hint?: string) => new SwarmError("SWARM_USAGE", message, { hint });
export const configError = (message: string, hint?: string) =>
  new SwarmError("SWARM_CONFIG_INVALID", message, { hint });
export const repoStateError = (code: string, message: string, hint?: string) =>
  new SwarmError(code, message, { hint });
export const authError = (message: string, hint?: string) => new SwarmError("SWARM_AUTH_REJECTED", message, { hint });
