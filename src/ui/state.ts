// The dashboard's model: everything the live view shows, folded from the SwarmEvent stream.
// No clock, no I/O: time comes only from each event's `t`, so a recorded run replays to the same state.
//
// `reduce` updates the state it is given and returns it (an accumulator, like the `acc` of
// Array.prototype.reduce). Copying a 300-entry in-flight map on every event costs ~20 µs per
// event (measured); updating in place keeps each event O(1) at 300 agents × thousands of steps.
// Callers keep one state and hand it to the view only at render time.

import type { Role, StepErrorCode, StepKind, TaskId, TaskStatus, Usage } from "../core/index.js";
import type { EstimateBrief, RunPhase, RunSummary, SwarmEvent, SwarmEventOf } from "../events/index.js";

/** A task's status while the run goes: the final ones are core's TaskStatus. */
export type LiveTaskStatus = "queued" | "running" | TaskStatus;

export interface StatusCounts {
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  notRun: number;
}

export interface RoleCounts extends StatusCounts {
  /** Planned tasks of this role, or, when the plan's split is unknown, the tasks seen so far. */
  total: number;
  /** Whether `total` is the plan's figure rather than a count of tasks seen so far. */
  isTotalPlanned: boolean;
}

export interface InFlightAgent {
  taskId: TaskId;
  role: Role;
  /** What the current step does: the role's own work, or a repair during validation. */
  kind: StepKind;
  file: string;
  /** Event time (`t`) of the task's first step: elapsed = now − startedAt. */
  startedAt: number;
  attempt: number;
  /** Set while the agent waits out a backoff before its next attempt. */
  retry: { code: StepErrorCode; delayMs: number; at: number } | null;
  /** Entries opened by a step alone (repairs) close with that step, not with a task event. */
  isStepOnly: boolean;
  /** The current step's streamed output so far (step.progress); null until its first progress event. */
  progress: { outputTokens: number; elapsedMs: number } | null;
  /** The current step asks for SEARCH/REPLACE edits rather than the whole file. */
  edits?: boolean;
}

export interface FailureEntry {
  taskId: TaskId;
  role: Role;
  file: string;
  code: StepErrorCode;
  message: string;
  attempts: number;
  t: number;
}

/** Lines written once above the live area (ink <Static>): the run's permanent record on screen. */
export type LogEntry =
  | ({ id: number; kind: "failed" } & FailureEntry)
  | { id: number; kind: "warning"; message: string }
  | { id: number; kind: "revert"; taskId: TaskId; file: string; problems: number; reason: string }
  | { id: number; kind: "budget"; budget: "steps" | "cost"; used: number; limit: number; isExhausted: boolean }
  | { id: number; kind: "commit"; branch: string; role: string; sha: string; files: number }
  | { id: number; kind: "stopping"; mode: "draining" | "aborting"; reason: string };

export interface RunInfo {
  /** Event time of run.started: elapsed = now − startedAt. */
  startedAt: number;
  repo: string;
  model: string;
  roles: Role[];
  tasks: number;
  files: number;
  skipped: number;
  concurrency: number;
  isResumed: boolean;
  /** Tasks settled by an earlier process of this run (resume); they emit no task events. */
  alreadyDone: number;
}

export interface ValidationState {
  files: number;
  problems: number;
  repairs: number;
  repaired: number;
  reverted: number;
  isFinished: boolean;
}

export type Phase = "waiting" | "executing" | "validating" | "committing" | "finished";

export interface DashboardState {
  runId: string | null;
  phase: Phase;
  run: RunInfo | null;
  estimate: EstimateBrief | null;
  /** The engine's latest run.projection: final cost and time to go (validation and commit included), and its event time. */
  projection: { costUSD: number; etaMs: number; at: number } | null;
  /** Latest event time seen. */
  lastT: number;
  /** Overall task counts by status (this process only; see RunInfo.alreadyDone). */
  counts: StatusCounts;
  byRole: Map<Role, RoleCounts>;
  /** Running agents in start order, which is also slowest-first order. */
  inFlight: Map<TaskId, InFlightAgent>;
  steps: number;
  tokens: Usage;
  costUSD: number;
  retries: { total: number; byCause: Partial<Record<StepErrorCode, number>> };
  /** Answers that were HTTP 429 (every one, retried or not). */
  rateLimited: number;
  limit: { current: number; max: number; decreases: number; lastReason: "rate-limited" | "recovered" | null; detail?: string };
  /** The latest run.phase (issue 17): shown before run.started, and its clock keeps running. */
  runPhase: { phase: RunPhase; count?: number; t: number; elapsedMs: number } | null;
  /** The most recent failures, oldest first, at most MAX_FAILURES. */
  failures: FailureEntry[];
  /** Failed tasks by error code, including the ones no longer in `failures`. */
  failuresByCode: Partial<Record<StepErrorCode, number>>;
  /** Append-only; see LogEntry. */
  log: LogEntry[];
  validation: ValidationState | null;
  budget: {
    warnings: Partial<Record<"steps" | "cost", { used: number; limit: number }>>;
    exhausted: { budget: "steps" | "cost"; used: number; limit: number } | null;
  };
  stopping: { mode: "draining" | "aborting"; reason: string; t: number } | null;
  branch: string | null;
  commits: number;
  throughput: Throughput;
  summary: RunSummary | null;
  /** Per task: role and status, so repeated or late events move counts exactly once. */
  tasks: Map<TaskId, { role: Role; file: string; status: LiveTaskStatus }>;
}

export interface Throughput {
  firstStartT: number | null;
  lastCompletionT: number | null;
  /** Tasks that ran and settled in this process (cascaded dependency failures excluded). */
  completions: number;
  /** Ring of the last THROUGHPUT_RING completion times. */
  recent: number[];
}

export const MAX_FAILURES = 20;
/** Completions the ETA's rate looks back over at least: long enough to smooth bursts, short enough to follow a limit change. */
const THROUGHPUT_WINDOW = 32;
/**
 * Completion times kept. At 300 agents that start together, completions come in waves of ~300 a
 * latency apart; a 32-completion window sees one wave's slice and promised "ETA 0 ms" with 600 tasks
 * left (seen at 300 agents). The window grows to twice the concurrency, up to this many.
 */
const THROUGHPUT_RING = 1024;

export function initialState(): DashboardState {
  return {
    runId: null,
    phase: "waiting",
    run: null,
    estimate: null,
    projection: null,
    lastT: 0,
    counts: zeroCounts(),
    byRole: new Map(),
    inFlight: new Map(),
    steps: 0,
    tokens: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 },
    costUSD: 0,
    retries: { total: 0, byCause: {} },
    rateLimited: 0,
    limit: { current: 0, max: 0, decreases: 0, lastReason: null },
    runPhase: null,
    failures: [],
    failuresByCode: {},
    log: [],
    validation: null,
    budget: { warnings: {}, exhausted: null },
    stopping: null,
    branch: null,
    commits: 0,
    throughput: { firstStartT: null, lastCompletionT: null, completions: 0, recent: [] },
    summary: null,
    tasks: new Map(),
  };
}

export function reduce(state: DashboardState, event: SwarmEvent): DashboardState {
  state.runId ??= event.runId;
  if (event.t > state.lastT) state.lastT = event.t;

  switch (event.type) {
    case "run.started":
      return onRunStarted(state, event);
    case "task.queued":
      setStatus(state, event.taskId, event.role, event.file, "queued");
      return state;
    case "task.started":
      return onTaskStarted(state, event);
    case "step.started":
      return onStepStarted(state, event);
    case "step.progress": {
      const agent = state.inFlight.get(event.taskId);
      // A late event of an earlier attempt must not show on the retry.
      if (agent && agent.attempt === event.attempt) agent.progress = { outputTokens: event.outputTokens, elapsedMs: event.elapsedMs };
      return state;
    }
    case "step.retry":
      return onStepRetry(state, event);
    case "step.finished":
      return onStepFinished(state, event);
    case "task.finished":
      state.inFlight.delete(event.taskId);
      setStatus(state, event.taskId, event.role, event.file, "succeeded");
      countCompletion(state, event.t);
      return state;
    case "task.failed":
      return onTaskFailed(state, event);
    case "limit.changed":
      if (event.limit < state.limit.current) state.limit.decreases++;
      state.limit.current = event.limit;
      state.limit.max = event.max;
      state.limit.lastReason = event.reason;
      state.limit.detail = event.detail;
      return state;
    case "run.phase":
      state.runPhase = { phase: event.phase, t: event.t, elapsedMs: event.elapsedMs, ...(event.count === undefined ? {} : { count: event.count }) };
      return state;
    case "validate.started":
      state.phase = "validating";
      state.validation = { files: event.files, problems: 0, repairs: 0, repaired: 0, reverted: 0, isFinished: false };
      return state;
    case "validate.problem":
      validation(state).problems++;
      return state;
    case "validate.repair":
      validation(state).repairs++;
      if (event.fixed) validation(state).repaired++;
      return state;
    case "validate.revert":
      return onRevert(state, event);
    case "validate.finished":
      Object.assign(validation(state), {
        problems: event.problems,
        repaired: event.repaired,
        reverted: event.reverted,
        isFinished: true,
      });
      return state;
    case "run.projection":
      state.projection = { costUSD: event.costUSD, etaMs: event.etaMs, at: event.t };
      return state;
    case "budget.warning":
      state.budget.warnings[event.budget] = { used: event.used, limit: event.limit };
      appendLog(state, { id: event.seq, kind: "budget", budget: event.budget, used: event.used, limit: event.limit, isExhausted: false });
      return state;
    case "budget.exhausted": {
      // The bill so far, not spent + reserve: a reserve never spent must not read as spend (issue 16).
      const used = event.spentUSD ?? event.used;
      state.budget.exhausted = { budget: event.budget, used, limit: event.limit };
      appendLog(state, { id: event.seq, kind: "budget", budget: event.budget, used, limit: event.limit, isExhausted: true });
      return state;
    }
    case "run.draining":
    case "run.aborting":
      return onStopping(state, event);
    case "commit.created":
      state.phase = "committing";
      state.branch = event.branch;
      state.commits++;
      appendLog(state, { id: event.seq, kind: "commit", branch: event.branch, role: event.role, sha: event.sha, files: event.files.length });
      return state;
    case "run.warning":
      appendLog(state, { id: event.seq, kind: "warning", message: event.message });
      return state;
    case "run.finished":
      return onRunFinished(state, event);
  }
  return state;
}

/** Replays a recorded run; what tests and `swarm report` use. */
export function reduceAll(events: Iterable<SwarmEvent>, state: DashboardState = initialState()): DashboardState {
  for (const event of events) reduce(state, event);
  return state;
}

// ---- selectors (pure, read-only) ----

export function totalTasks(state: DashboardState): number {
  const c = state.counts;
  const seen = c.queued + c.running + c.succeeded + c.failed + c.notRun + (state.run?.alreadyDone ?? 0);
  return Math.max(state.run?.tasks ?? 0, seen);
}

/** Tasks that will not change any more: succeeded, failed, not run, or settled by an earlier process. */
export function settledTasks(state: DashboardState): number {
  const c = state.counts;
  return c.succeeded + c.failed + c.notRun + (state.run?.alreadyDone ?? 0);
}

/**
 * Time left: the engine's projection when there is one, else the recent completion rate, counted down from the
 * last completion so the figure moves between completions. Null until the rate means something.
 */
export function etaMs(state: DashboardState, now: number): number | null {
  // A stop starts nothing new: the remaining tasks will not run, so there is nothing to estimate.
  if (state.phase !== "executing" || state.stopping) return null;
  // One ETA on screen: the engine's projection (it includes validation and commit), counted down between its
  // updates; the agents' own completion rate only before the first projection or once it has run out.
  if (state.projection) {
    const left = state.projection.etaMs - Math.max(0, now - state.projection.at);
    if (left > 0) return left;
  }
  const { firstStartT, lastCompletionT, completions, recent } = state.throughput;
  if (firstStartT === null || lastCompletionT === null || completions === 0) return null;
  const window = Math.min(THROUGHPUT_RING, Math.max(THROUGHPUT_WINDOW, 2 * Math.max(state.limit.current, state.inFlight.size)));
  let windowCount: number;
  let windowStartT: number;
  if (completions <= window) {
    windowCount = completions;
    windowStartT = firstStartT;
  } else {
    // The window-th most recent completion; the window - 1 after it set the rate.
    windowCount = window - 1;
    windowStartT = recent[(completions - window) % THROUGHPUT_RING]!;
  }
  const spanMs = lastCompletionT - windowStartT;
  if (spanMs <= 0) return null;
  const remaining = totalTasks(state) - settledTasks(state);
  if (remaining <= 0) return 0;
  const msPerTask = spanMs / windowCount;
  const leftMs = remaining * msPerTask - Math.max(0, now - lastCompletionT);
  // Past the countdown with work left, the rate no longer describes the run (agents stuck in
  // backoff, a stalled endpoint): say nothing rather than "ETA 0 ms".
  return leftMs > 0 ? leftMs : null;
}

/** The agents running longest first, at most `limit` of them. */
export function slowestInFlight(state: DashboardState, limit: number): InFlightAgent[] {
  const out: InFlightAgent[] = [];
  if (limit <= 0) return out;
  // Map order is insertion order, and agents are inserted when they start: oldest = slowest.
  for (const agent of state.inFlight.values()) {
    out.push(agent);
    if (out.length >= limit) break;
  }
  return out;
}

/** Output tokens per second of the agent's current step, or null before its first second of streaming. */
export function tokensPerSecond(agent: InFlightAgent): number | null {
  const p = agent.progress;
  if (!p || p.elapsedMs < 1000) return null;
  return p.outputTokens / (p.elapsedMs / 1000);
}

// ---- event handlers ----

function onRunStarted(state: DashboardState, e: SwarmEventOf<"run.started">): DashboardState {
  state.phase = "executing";
  state.run = {
    startedAt: e.t,
    repo: e.repo,
    model: e.model,
    roles: e.roles,
    tasks: e.tasks,
    files: e.files,
    skipped: e.skipped,
    concurrency: e.concurrency,
    isResumed: e.resumed,
    alreadyDone: e.alreadyDone,
  };
  state.estimate = e.estimate;
  state.branch = e.branch ?? state.branch;
  state.limit = { current: e.concurrency, max: e.concurrency, decreases: 0, lastReason: null };
  // Without tasksByRole, the split is still exact when every role has one task per file.
  const isEvenSplit = e.tasks === e.files * e.roles.length;
  for (const role of e.roles) {
    const planned = e.tasksByRole?.[role] ?? (isEvenSplit ? e.files : undefined);
    if (planned === undefined) continue;
    const counts = roleCounts(state, role);
    counts.total = Math.max(counts.total, planned);
    counts.isTotalPlanned = true;
  }
  return state;
}

function onTaskStarted(state: DashboardState, e: SwarmEventOf<"task.started">): DashboardState {
  setStatus(state, e.taskId, e.role, e.file, "running");
  state.throughput.firstStartT ??= e.t;
  if (!state.inFlight.has(e.taskId)) {
    state.inFlight.set(e.taskId, {
      taskId: e.taskId,
      role: e.role,
      kind: e.role,
      file: e.file,
      startedAt: e.t,
      attempt: 1,
      retry: null,
      isStepOnly: false,
      progress: null,
    });
  }
  return state;
}

function onStepStarted(state: DashboardState, e: SwarmEventOf<"step.started">): DashboardState {
  const agent = state.inFlight.get(e.taskId);
  if (agent) {
    agent.attempt = e.attempt;
    agent.kind = e.kind;
    agent.retry = null;
    agent.progress = null;
    agent.edits = e.format === "search-replace";
    return state;
  }
  // A step without a running task: a repair during validation (or a task.started we never saw).
  const known = state.tasks.get(e.taskId);
  state.inFlight.set(e.taskId, {
    taskId: e.taskId,
    role: known?.role ?? roleOf(e.taskId),
    kind: e.kind,
    file: known?.file ?? fileOf(e.taskId),
    startedAt: e.t,
    attempt: e.attempt,
    retry: null,
    isStepOnly: e.kind === "repair",
    progress: null,
    edits: e.format === "search-replace",
  });
  return state;
}

function onStepRetry(state: DashboardState, e: SwarmEventOf<"step.retry">): DashboardState {
  state.retries.total++;
  const code = e.error.code;
  state.retries.byCause[code] = (state.retries.byCause[code] ?? 0) + 1;
  const agent = state.inFlight.get(e.taskId);
  if (agent) agent.retry = { code, delayMs: e.delayMs, at: e.t };
  return state;
}

function onStepFinished(state: DashboardState, e: SwarmEventOf<"step.finished">): DashboardState {
  state.steps++;
  const tokens = state.tokens;
  tokens.inputTokens += e.usage.inputTokens;
  tokens.cachedInputTokens += e.usage.cachedInputTokens;
  tokens.outputTokens += e.usage.outputTokens;
  state.costUSD += e.costUSD;
  if (e.error?.code === "rate-limited") state.rateLimited++;
  const agent = state.inFlight.get(e.taskId);
  if (!agent) return state;
  if (agent.isStepOnly) state.inFlight.delete(e.taskId);
  // While stopping, a failed step is never retried, and a step cut short ends its task without a
  // task event (the engine records it as not run). A task.failed that follows corrects the status.
  else if (!e.ok && state.stopping) dropAgent(state, agent);
  return state;
}

function onTaskFailed(state: DashboardState, e: SwarmEventOf<"task.failed">): DashboardState {
  state.inFlight.delete(e.taskId);
  setStatus(state, e.taskId, e.role, e.file, "failed");
  const code = e.error.code;
  state.failuresByCode[code] = (state.failuresByCode[code] ?? 0) + 1;
  // A failed refactor fails its test and doc tasks at once; they show in the counts, while the
  // failure lists keep to the cause, so one bad file does not push every other failure out of view.
  if (code === "dependency-failed") return state;
  countCompletion(state, e.t);
  const failure: FailureEntry = {
    taskId: e.taskId,
    role: e.role,
    file: e.file,
    code,
    message: e.error.message,
    attempts: e.attempts,
    t: e.t,
  };
  pushFailure(state, failure);
  appendLog(state, { id: e.seq, kind: "failed", ...failure });
  return state;
}

function onRevert(state: DashboardState, e: SwarmEventOf<"validate.revert">): DashboardState {
  validation(state).reverted++;
  const role = state.tasks.get(e.taskId)?.role ?? roleOf(e.taskId);
  setStatus(state, e.taskId, role, e.file, "failed");
  state.failuresByCode.reverted = (state.failuresByCode.reverted ?? 0) + 1;
  const first = e.problems[0];
  const reason = first ? `${first.code}: ${first.message}` : "left the project inconsistent";
  pushFailure(state, { taskId: e.taskId, role, file: e.file, code: "reverted", message: reason, attempts: 0, t: e.t });
  appendLog(state, { id: e.seq, kind: "revert", taskId: e.taskId, file: e.file, problems: e.problems.length, reason });
  return state;
}

function onStopping(state: DashboardState, e: SwarmEventOf<"run.draining"> | SwarmEventOf<"run.aborting">): DashboardState {
  const mode = e.type === "run.draining" ? "draining" : "aborting";
  if (state.stopping?.mode === mode) return state;
  state.stopping = { mode, reason: e.reason, t: e.t };
  // Agents waiting out a backoff are dropped by a stop without a task event: nothing to wait for.
  for (const agent of state.inFlight.values()) if (agent.retry) dropAgent(state, agent);
  appendLog(state, { id: e.seq, kind: "stopping", mode, reason: e.reason });
  return state;
}

function onRunFinished(state: DashboardState, e: SwarmEventOf<"run.finished">): DashboardState {
  const summary = e.summary;
  state.phase = "finished";
  state.summary = summary;
  state.inFlight.clear();
  state.branch = summary.branch;
  state.costUSD = summary.costUSD;
  state.tokens = { ...summary.tokens };
  // The summary is authoritative: it also knows the tasks a stop left unstarted, which emit no event.
  const c = summary.counts;
  state.counts = { queued: 0, running: 0, succeeded: c.succeeded, failed: c.failed, notRun: c.notRun };
  if (state.run) state.run.alreadyDone = 0;
  for (const [role, rc] of Object.entries(c.byRole)) {
    state.byRole.set(role as Role, {
      total: rc.total,
      isTotalPlanned: true,
      queued: 0,
      running: 0,
      succeeded: rc.succeeded,
      failed: rc.failed,
      notRun: rc.notRun,
    });
  }
  return state;
}

// ---- helpers ----

function zeroCounts(): StatusCounts {
  return { queued: 0, running: 0, succeeded: 0, failed: 0, notRun: 0 };
}

function roleCounts(state: DashboardState, role: Role): RoleCounts {
  let counts = state.byRole.get(role);
  if (!counts) {
    counts = { total: 0, isTotalPlanned: false, ...zeroCounts() };
    state.byRole.set(role, counts);
  }
  return counts;
}

/** Moves a task to `status`, adjusting overall and per-role counts exactly once. */
function setStatus(state: DashboardState, taskId: TaskId, role: Role, file: string, status: LiveTaskStatus): void {
  const counts = roleCounts(state, role);
  const task = state.tasks.get(taskId);
  if (task) {
    if (task.status === status) return;
    state.counts[COUNT_OF[task.status]]--;
    counts[COUNT_OF[task.status]]--;
    task.status = status;
  } else {
    state.tasks.set(taskId, { role, file, status });
    const seen = counts.queued + counts.running + counts.succeeded + counts.failed + counts.notRun + 1;
    if (seen > counts.total) counts.total = seen;
  }
  state.counts[COUNT_OF[status]]++;
  counts[COUNT_OF[status]]++;
}

/** The count each status adds to (counts are camelCase, as in RunSummary.counts). */
const COUNT_OF: Readonly<Record<LiveTaskStatus, keyof StatusCounts>> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  "not-run": "notRun",
};

/** An agent the engine let go without a task event: its task ends as not run. */
function dropAgent(state: DashboardState, agent: InFlightAgent): void {
  state.inFlight.delete(agent.taskId);
  if (!agent.isStepOnly) setStatus(state, agent.taskId, agent.role, agent.file, "not-run");
}

function countCompletion(state: DashboardState, t: number): void {
  const tp = state.throughput;
  tp.firstStartT ??= t;
  tp.recent[tp.completions % THROUGHPUT_RING] = t;
  tp.completions++;
  tp.lastCompletionT = t;
}

function pushFailure(state: DashboardState, failure: FailureEntry): void {
  state.failures.push(failure);
  if (state.failures.length > MAX_FAILURES) state.failures.shift();
}

function appendLog(state: DashboardState, entry: LogEntry): void {
  state.log.push(entry);
}

function validation(state: DashboardState): ValidationState {
  state.validation ??= { files: 0, problems: 0, repairs: 0, repaired: 0, reverted: 0, isFinished: false };
  return state.validation;
}

// TaskId is `${role}:${file}` (core/types.ts); used only when an event carries no role or file.
function roleOf(taskId: TaskId): Role {
  return taskId.slice(0, Math.max(0, taskId.indexOf(":"))) as Role;
}

function fileOf(taskId: TaskId): string {
  return taskId.slice(taskId.indexOf(":") + 1);
}
