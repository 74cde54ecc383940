import type { AnswerFormat, ErrorInfo, RepoPath, Role, Skip, StepErrorCode, StoppedBy, TaskId, TaskStatus } from "../core/index.js";
import type { TaskCounts } from "../events/index.js";
import type { ReportValidation } from "../validate/index.js";

// The shape of report.json. Plain JSON only; `swarm report` re-renders it, so fields are added,
// never renamed (bump `schemaVersion` if that ever has to change).

/** Tokens as the endpoint billed them. `input` includes `cachedInput`. */
export interface TokenTotals {
  input: number;
  cachedInput: number;
  output: number;
}

export interface TokensAndCost extends TokenTotals {
  costUSD: number;
}

export interface EstimateRow extends TokensAndCost {
  tasks: number;
}

export interface ReportEstimate {
  byRole: Record<string, EstimateRow>;
  total: EstimateRow;
  /** Earlier runs the estimate's calibration ratios came from; absent or 0 when uncalibrated. */
  calibratedFromRuns?: number;
}

/**
 * One row of the estimate-vs-actual table: a role (by step kind, so "repair" gets its own row,
 * which no estimate covers) or "total". Errors are in percent: (actual − estimate) / estimate × 100,
 * rounded to one decimal; null when there is nothing to compare against (estimate 0 and actual not 0,
 * or the per-role actual cost is unknown).
 */
export interface EstimateVsActualRow {
  role: string;
  estimated: TokensAndCost | null;
  actual: TokenTotals & { costUSD: number | null };
  errorPct: { input: number | null; cachedInput: number | null; output: number | null; costUSD: number | null };
}

export interface ReportTask {
  id: TaskId;
  role: Role;
  file: RepoPath;
  output: RepoPath;
  status: TaskStatus;
  attempts: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  latencyMs: number;
  wallMs: number;
  error: ErrorInfo | null;
  /** Whether the output differs from HEAD; null when unknown (failed or not run). */
  changed: boolean | null;
  /** "search-replace" when the task's last answer was asked for as SEARCH/REPLACE edits; absent: the whole file. */
  format?: AnswerFormat;
}

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface TokenOutlier {
  taskId: TaskId;
  role: Role;
  file: RepoPath;
  /** input + output tokens of all the task's steps. */
  tokens: number;
  roleMedian: number;
  /** tokens / roleMedian. */
  ratio: number;
}

export interface SlowOutlier {
  taskId: TaskId;
  role: Role;
  file: RepoPath;
  wallMs: number;
  roleP50: number;
  roleP95: number;
}

export interface RunMetrics {
  completion: {
    succeeded: number;
    total: number;
    /** succeeded / total; null for an empty plan. */
    rate: number | null;
    target: number;
    isBelowTarget: boolean;
  };
  /** Per agent (= task that sent at least one request): input + output tokens. */
  tokensPerAgent: {
    byRole: Record<string, Distribution>;
    /** Agents above `tokenOutlierFactor` × their role's median, largest ratio first. */
    outliers: TokenOutlier[];
  };
  /** Wall time per agent, by role. */
  wallMs: {
    byRole: Record<string, Distribution>;
    /** Above both 3 × the role's p50 and the role's p95: files worth splitting. Slowest first. */
    slowOutliers: SlowOutlier[];
  };
  /** Latency of single requests, all kinds together and by step kind. */
  stepLatencyMs: Distribution & { byKind: Record<string, Distribution> };
  /** Failed steps that were followed by another step of the same task, by the failed step's error code. */
  retries: { total: number; byCause: Partial<Record<StepErrorCode, number>> };
  /** Every failed step (retried or final), by error code. */
  failedSteps: { total: number; byCause: Partial<Record<StepErrorCode, number>> };
  /** Requests answered with HTTP 429 (or classified rate-limited). */
  rateLimited: number;
  /**
   * SEARCH/REPLACE answers: usable ones and ones whose edits did not apply ("edit-failed"); rate = failed ÷ both,
   * null when no edit answer came back. How well this run's model writes edits (issue 15).
   */
  editAnswers: { applied: number; failed: number; rate: number | null };
  /** The factors the flags above used, so a reader of report.json can tell. */
  thresholds: { completionTarget: number; tokenOutlierFactor: number; slowOutlierFactor: number };
}

export interface ReportCommit {
  role: Role | "repair" | "codemod";
  sha: string;
  files: RepoPath[];
}

/** Why an output is not on the branch. */
export type MissingReason = StepErrorCode;

export interface MissingEntry {
  taskId: TaskId;
  role: Role;
  file: RepoPath;
  output: RepoPath;
  status: "failed" | "not-run";
  reason: MissingReason;
  message: string;
}

export interface Report {
  schemaVersion: 1;
  runId: string;
  repo: string;
  /** The branch written, or null when nothing was committed. */
  branch: string | null;
  /** Why no branch was written although files changed (another process took the name), with where the result is. */
  branchError?: string;
  baseSha: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  stoppedBy: StoppedBy;
  /** Which budget stopped the run; null unless stoppedBy is "budget". */
  budget: "steps" | "cost" | null;
  instruction: string;
  models: string[];
  roles: Role[];
  counts: TaskCounts;
  /** What the endpoint billed: every answered request, failed steps included. */
  tokens: TokenTotals;
  /** cachedInput / input; null when no input tokens were billed. */
  cacheHitShare: number | null;
  costUSD: number;
  estimate: ReportEstimate | null;
  estimateVsActual: EstimateVsActualRow[] | null;
  skips: Skip[];
  /** One entry per planned task, in plan order. Never file contents. */
  tasks: ReportTask[];
  metrics: RunMetrics;
  validation: ReportValidation | null;
  commits: ReportCommit[];
  missing: MissingEntry[];
  /** Command that resumes the run; null when it completed. */
  resumeHint: string | null;
  /** A merge's shards (`swarm merge`): what each shard did, and which shards were not there (--allow-partial). */
  shards?: { merged: ReportShard[]; missing: number[] };
  /** What the named codemod did before any request (issue 18); absent when none was named. */
  codemod?: ReportCodemod;
}

/**
 * The codemod pass: files it finished (no request went out for them), handed off with its reason, or threw on (with
 * the stack's first frame). Handed-off and failed files went to the model.
 */
export interface ReportCodemod {
  spec: string;
  done: number;
  /** Of `done`: the files whose content it changed. */
  changed: number;
  handedOff: { file: RepoPath; reason: string }[];
  failed: { file: RepoPath; reason: string; frame?: string }[];
  /** Files sent to the model because of it: handed off plus failed. */
  toModel: number;
  /** Changes no task owns (a built-in's importers outside the plan, a moved file's paths). */
  extra: { path: RepoPath; change: "written" | "deleted" }[];
  /** What a built-in could not do, and edits of other files a user codemod made and were discarded. */
  problems: string[];
}

export interface ReportShard {
  index: number;
  count: number;
  file: string;
  runId: string;
  tasks: number;
  succeeded: number;
  costUSD: number;
  durationMs: number;
  stoppedBy: StoppedBy;
}
