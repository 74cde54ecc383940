import { ExitCode } from "./exit-codes.js";

/**
 * Every code a {@link SwarmError} can carry: a closed list, so scripts and tests match on a stable
 * name and a new failure has to be named here first.
 */
export const SwarmErrorCode = {
  Usage: "SWARM_USAGE",
  ConfigInvalid: "SWARM_CONFIG_INVALID",
  NoApiKey: "SWARM_NO_API_KEY",
  AuthRejected: "SWARM_AUTH_REJECTED",
  EndpointUnreachable: "SWARM_ENDPOINT_UNREACHABLE",
  NothingToDo: "SWARM_NOTHING_TO_DO",
  UnsafeOutput: "SWARM_UNSAFE_OUTPUT",
  NoSuchPath: "SWARM_NO_SUCH_PATH",
  GitNotFound: "SWARM_GIT_NOT_FOUND",
  GitTooOld: "SWARM_GIT_TOO_OLD",
  NotARepo: "SWARM_NOT_A_REPO",
  BareRepo: "SWARM_BARE_REPO",
  NoCommits: "SWARM_NO_COMMITS",
  BadBranch: "SWARM_BAD_BRANCH",
  BranchExists: "SWARM_BRANCH_EXISTS",
  DiskFull: "SWARM_DISK_FULL",
  ShardSet: "SWARM_SHARD_SET",
  BudgetTooSmall: "SWARM_BUDGET_TOO_SMALL",
  CodemodLoad: "SWARM_CODEMOD_LOAD",
} as const;
export type SwarmErrorCode = (typeof SwarmErrorCode)[keyof typeof SwarmErrorCode];

/** An error a user can cause: printed as one line (plus hint and cause), never with a stack. */
export class SwarmError extends Error {
  readonly code: SwarmErrorCode;
  readonly exitCode: ExitCode;
  readonly hint?: string;

  constructor(code: SwarmErrorCode, message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SwarmError";
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.Usage;
    this.hint = options.hint;
  }
}

export const usageError = (message: string, hint?: string) => new SwarmError(SwarmErrorCode.Usage, message, { hint });
export const configError = (message: string, hint?: string) => new SwarmError(SwarmErrorCode.ConfigInvalid, message, { hint });
export const repoStateError = (code: SwarmErrorCode, message: string, hint?: string) => new SwarmError(code, message, { hint });
