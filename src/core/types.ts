// Plain data shared by every stage. Everything here is JSON-serialisable.

export const ROLES = ["refactor", "test", "doc"] as const;
export type Role = (typeof ROLES)[number];
/** A step is one chat-completions request; repair steps belong to a refactor (or test) task. */
export type StepKind = Role | "repair";

/** Repo-relative path with POSIX separators, e.g. `src/routes/users.js`. */
export type RepoPath = string;
/** `${role}:${file}`, e.g. `refactor:src/app.js`. Stable across runs of the same plan. */
export type TaskId = string;

export type Eol = "\n" | "\r\n";

/** A file as HEAD holds it, ready to be sent to a model. */
export interface SourceFile {
  path: RepoPath;
  bytes: number;
  /** Decoded UTF-8 text, BOM stripped. */
  content: string;
  hasBom: boolean;
  eol: Eol;
  /** Whether the file ends with a newline; kept when the answer is written back. */
  hasFinalNewline: boolean;
  /** git file mode: "100644" or "100755". */
  mode: string;
}

export const SKIP_REASONS = [
  "not-included", // matched an exclude glob (only listed when it would otherwise be a source file)
  "gitignored",
  "too-large",
  "binary",
  "not-utf8",
  "empty",
  "secret-name",
  "secret-content",
  "symlink",
  "submodule",
  "untracked", // in the working tree but not in HEAD, so not part of the run
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface Skip {
  path: RepoPath;
  reason: SkipReason;
  /** One human line; never contains the secret itself. */
  detail: string;
}

export interface Task {
  id: TaskId;
  role: Role;
  /** The source file the task works from. */
  file: RepoPath;
  /** The one path this task writes. Unique across the plan. */
  output: RepoPath;
  dependsOn: TaskId[];
  /** Size of the source file in bytes (drives routing and output estimates). */
  bytes: number;
}

export interface Plan {
  version: 1;
  roles: Role[];
  tasks: Task[];
  /** Files that got tasks, in scan order. */
  files: { path: RepoPath; bytes: number }[];
  skips: Skip[];
  /** Tasks whose conventional output path another task already owned (absent when there were none). */
  conflicts?: PlanConflict[];
  /** Tasks left out before any request because their output may not be written or read (absent when none). */
  dropped?: DroppedTask[];
  /** What the default rules left out, one count per rule, for the plan's summary (absent when nothing). */
  leftOut?: LeftOut[];
}

/** `{ count: 2748, what: "test files", why: "tests are not refactored by default" }`. */
export interface LeftOut {
  count: number;
  what: string;
  why: string;
}

/** A task the plan left out, e.g. its output is a symlink at HEAD or already holds a secret. */
export interface DroppedTask {
  taskId: TaskId;
  output: RepoPath;
  reason: string;
}

/** A task that could not write its conventional output path, and what the plan did instead. */
export interface PlanConflict {
  taskId: TaskId;
  /** The path the task would have written. */
  wanted: RepoPath;
  /** The task that owns `wanted`. */
  ownedBy: TaskId;
  /** Where the task writes instead; absent when the task was left out of the plan. */
  output?: RepoPath;
}

export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
}

export const zeroUsage = (): Usage => ({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
  };
}

/** Stable error codes for a failed step or task. */
export const STEP_ERROR_CODES = [
  "rate-limited", // 429
  "server-error", // 5xx, 408, 409
  "timeout", // our own per-step timeout fired
  "connection", // reset, refused, DNS mid-run
  "no-code-block", // answer had no usable fenced block
  "many-code-blocks",
  "truncated", // finish_reason "length"
  "edit-failed", // a SEARCH/REPLACE answer that does not apply to the file
  "bad-request", // 400/404/422: fatal for the task
  "auth", // 401/403: fatal for the run
  "unsafe-output", // answer tried to write outside the task's own path
  "unsafe-answer", // answer rejected by the screen: a secret, too large, control bytes, or mass deletion
  "aborted", // run aborted (second Ctrl-C)
  "dependency-failed", // a prerequisite task failed
  "budget", // not started because a budget ran out
  "interrupted", // not started because the run was drained
  "reverted", // succeeded, then reverted by validation
] as const;
export type StepErrorCode = (typeof STEP_ERROR_CODES)[number];

export interface ErrorInfo {
  code: StepErrorCode;
  message: string;
}

/** One line of journal.jsonl: a finished step (answered, failed or timed out). */
export interface StepRecord {
  taskId: TaskId;
  kind: StepKind;
  attempt: number;
  model: string;
  ok: boolean;
  /** The new file content when ok; absent otherwise. */
  content?: string;
  error?: ErrorInfo;
  /** sha256 of a rejected answer (its content is never journaled): tells retries apart. */
  answerHash?: string;
  /** What the endpoint billed for this request; zero when it never answered. */
  usage: Usage;
  latencyMs: number;
  finishReason?: string;
  /** HTTP status when the endpoint answered with an error. */
  status?: number;
  /** This step decided the task (success, or a failure that is not retried). */
  final: boolean;
  /** "search-replace" when the step asked for SEARCH/REPLACE edits; absent: a whole-file answer. */
  format?: AnswerFormat;
}

/** How an answer carries its file: the whole content, or SEARCH/REPLACE edits of the file the model was shown. */
export type AnswerFormat = "whole" | "search-replace";

export type TaskStatus = "succeeded" | "failed" | "not-run";

export interface TaskResult {
  id: TaskId;
  role: Role;
  file: RepoPath;
  output: RepoPath;
  status: TaskStatus;
  attempts: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** Sum of this task's step latencies. */
  latencyMs: number;
  /** Wall time from the task's first step start to its last step end. */
  wallMs: number;
  error?: ErrorInfo;
  /** Final content when succeeded. Not written to report.json. */
  content?: string;
  /** Whether the content differs from what the output path held at HEAD. */
  changed?: boolean;
}

export type StoppedBy = "completed" | "budget" | "interrupt" | "auth" | "abort";
