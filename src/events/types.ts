import type { AnswerFormat, ErrorInfo, RepoPath, Role, StepErrorCode, StepKind, StoppedBy, TaskId, Usage } from "../core/index.js";

/** What a reporter needs to know about the estimate at start (subset of estimate/Estimate). */
export interface EstimateBrief {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUSD: number;
  wallMs: number;
}

export interface TaskCounts {
  /** role → status → count */
  byRole: Record<string, { total: number; succeeded: number; failed: number; notRun: number }>;
  total: number;
  succeeded: number;
  failed: number;
  notRun: number;
}

/** The run's final word; also the last NDJSON line and the basis of the exit code. */
export interface RunSummary {
  runId: string;
  repo: string;
  branch: string | null;
  runDir: string;
  reportJson: string;
  reportMd: string;
  stoppedBy: StoppedBy;
  /** Which budget stopped the run, when stoppedBy is "budget". */
  budget?: "steps" | "cost";
  counts: TaskCounts;
  tokens: Usage;
  costUSD: number;
  estimatedCostUSD: number | null;
  durationMs: number;
  failed: { taskId: TaskId; file: RepoPath; output: RepoPath; error: ErrorInfo }[];
  exitCode: number;
  /** Command that resumes this run, when it did not complete. */
  resumeHint?: string;
  /** The swarm metrics in brief (report.json has them in full). Optional: older runs and tests lack it. */
  metrics?: SummaryMetrics;
  /** For the review hand-off (issue 17): the commit the branch starts from, and the instruction as the PR title. */
  baseSha?: string;
  instruction?: string;
  /** The codemod pass in brief (issue 18): files it finished, handed off to the model, threw on. */
  codemod?: { spec: string; done: number; handedOff: number; failed: number };
}

/** p50/p95/max over `count` values (nearest rank, so each is an observed value). */
export interface SummaryDistribution {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/**
 * What the final summary, the CI log and the step summary show of report.json's `metrics`:
 * completion against its target, per-role spread of wall time and tokens per agent, the worst
 * outliers, and retries by cause.
 */
export interface SummaryMetrics {
  completion: { succeeded: number; total: number; rate: number | null; target: number; isBelowTarget: boolean };
  wallMsByRole: Record<string, SummaryDistribution>;
  tokensPerAgentByRole: Record<string, SummaryDistribution>;
  /** Agents far above their role's median tokens: how many, and the worst few. */
  tokenOutliers: { count: number; factor: number; top: { taskId: TaskId; file: RepoPath; role: Role; tokens: number; ratio: number }[] };
  /** Agents slow against their role (over factor × p50 and above p95): how many, and the slowest few. */
  slowOutliers: { count: number; factor: number; top: { taskId: TaskId; file: RepoPath; role: Role; wallMs: number; roleP50: number }[] };
  retries: { total: number; byCause: Partial<Record<StepErrorCode, number>> };
  rateLimited: number;
  /** SEARCH/REPLACE answers that applied and that did not; rate = failed ÷ both (null: none came back). */
  editAnswers?: { applied: number; failed: number; rate: number | null };
}

export type Problem = {
  /** The file in which the problem shows. */
  file: RepoPath;
  line?: number;
  code: string; // e.g. "unresolved-import", "missing-export", "missing-default", "ts2305"
  message: string;
  /** The file on the other side (the import target), when there is one. */
  target?: RepoPath;
  /** The task whose edit introduced the problem. */
  blame?: TaskId;
};

/** The stages a command goes through, in order; a run.phase event announces each. */
export type RunPhase = "scanning" | "graph" | "estimating" | "running" | "validating" | "committing" | "report";

type EventPayloads = {
  "run.started": {
    repo: string;
    branch: string | null;
    roles: Role[];
    tasks: number;
    files: number;
    skipped: number;
    concurrency: number;
    model: string;
    estimate: EstimateBrief | null;
    resumed: boolean;
    /** Tasks already finished in the journal (on resume). */
    alreadyDone: number;
    /**
     * Planned tasks per role. Optional: views fall back to counting task events, but tests and
     * docs are only queued once their refactor finishes, so per-role totals need this up front.
     */
    tasksByRole?: Partial<Record<Role, number>>;
  };
  "task.queued": { taskId: TaskId; role: Role; file: RepoPath };
  "task.started": { taskId: TaskId; role: Role; file: RepoPath };
  /** `format` "search-replace": the step asks for SEARCH/REPLACE edits; absent: a whole-file answer. */
  "step.started": { taskId: TaskId; kind: StepKind; attempt: number; model: string; format?: AnswerFormat };
  /** A streamed answer's progress, at most once a second per step: output tokens so far (reasoning included). */
  "step.progress": { taskId: TaskId; kind: StepKind; attempt: number; outputTokens: number; elapsedMs: number };
  "step.retry": { taskId: TaskId; kind: StepKind; attempt: number; error: ErrorInfo; status?: number; delayMs: number };
  "step.finished": {
    taskId: TaskId;
    kind: StepKind;
    attempt: number;
    ok: boolean;
    usage: Usage;
    costUSD: number;
    latencyMs: number;
    error?: ErrorInfo;
  };
  "task.finished": {
    taskId: TaskId;
    role: Role;
    file: RepoPath;
    output: RepoPath;
    attempts: number;
    usage: Usage;
    latencyMs: number;
    wallMs: number;
    changed: boolean;
  };
  "task.failed": { taskId: TaskId; role: Role; file: RepoPath; output: RepoPath; attempts: number; error: ErrorInfo };
  /** `detail` says what the limit saw ("12 of the last 40 requests rate-limited"); absent in older logs. */
  "limit.changed": { limit: number; max: number; reason: "rate-limited" | "recovered"; detail?: string };
  "validate.started": { files: number };
  "validate.problem": { problem: Problem };
  "validate.repair": { taskId: TaskId; file: RepoPath; round: number; problems: Problem[]; fixed: boolean };
  "validate.revert": { taskId: TaskId; file: RepoPath; problems: Problem[] };
  "validate.finished": { problems: number; repaired: number; reverted: number };
  "budget.warning": { budget: "steps" | "cost"; used: number; limit: number };
  /**
   * `used`: spent plus in flight. For cost, `spentUSD` is what was billed so far and `reserveUSD` what the
   * next `nextTasks` steps (in flight plus the one refused) hold back: spent + reserve would cross the limit.
   */
  "budget.exhausted": { budget: "steps" | "cost"; used: number; limit: number; spentUSD?: number; reserveUSD?: number; nextTasks?: number };
  /** Projected final cost and time to the end (validation and commit included), from the run's observed rates. */
  "run.projection": { costUSD: number; etaMs: number; tasksDone: number; tasks: number; spentUSD: number };
  /** Issue 17: what the run is doing now (count: files or tasks it is about), with the time since the command started. */
  "run.phase": { phase: RunPhase; count?: number; elapsedMs: number };
  "run.draining": { reason: "interrupt" | "budget" | "auth" };
  "run.aborting": { reason: "interrupt" };
  "commit.created": { branch: string; role: Role | "repair" | "codemod"; sha: string; files: RepoPath[] };
  "run.finished": { summary: RunSummary };
  /** Something the user should know that is not an error (uncommitted changes, ...). */
  "run.warning": { message: string };
};

export type SwarmEventType = keyof EventPayloads;
export type EventEnvelope = { seq: number; t: number; runId: string };
export type SwarmEventOf<K extends SwarmEventType> = { type: K } & EventEnvelope & EventPayloads[K];
export type SwarmEvent = { [K in SwarmEventType]: SwarmEventOf<K> }[SwarmEventType];
export type SwarmEventInput = { [K in SwarmEventType]: { type: K } & EventPayloads[K] }[SwarmEventType];
