// The queue: when a step may start (DAG release through the ready set, the adaptive in-flight limit,
// budgets, drain and abort) and what a step's outcome means for its task and the run. What one request
// produced is agent-step.ts's business. This file is the only importer of p-queue.
import PQueue from "p-queue";
import type { ErrorInfo, Plan, StepKind, StepRecord, StoppedBy, Task, TaskId, TaskResult, Usage } from "../core/index.js";
import type { EventBus } from "../events/index.js";
import type { ChatProvider, ChatRequest } from "../llm/index.js";
import type { AnswerLimits } from "../secrets/index.js";
import { FORMAT_FAILURES, withRetryNote, type EditTarget } from "../prompt/index.js";
import { runAgentStep, type StepHost, type StepRun } from "./agent-step.js";
import { createAdaptiveLimit, type LimitChange } from "./adaptive-limit.js";
import { budgetWarning, mayStartStep, type BudgetState } from "./budget.js";
import { isProjectionDue, projectRun, type ProjectionInput } from "./projection.js";
import { expectedStepTokens, RateWindow, type Charge, type RateLimits } from "./rate-window.js";
import { ReadySet } from "./ready-set.js";
import { TaskTally } from "./task-tally.js";
import type { RetrySettings } from "./retry-policy.js";

export interface EngineSettings {
  concurrency: number;
  timeoutMs: number;
  /** A stream silent this long is cancelled and retried. @default the provider's (30 s) */
  stallTimeoutMs?: number;
  /** The provider's published limits (config provider.limits); `concurrency` caps `concurrency`. */
  provider?: { limits?: RateLimits & { concurrency?: number } };
  /**
   * The length of the provider's rate "minute". Not a config key: tests and bench/ shrink it to check the
   * rpm/tpm limits on the server's clock in seconds. @default 60000
   */
  rateWindowMs?: number;
  retry: RetrySettings;
  maxSteps: number;
  maxCostUSD: number | null;
  /**
   * false pins the in-flight limit at `concurrency` (429s are still retried). Not a config key: it
   * exists so bench/ can compare the adaptive limit with a fixed one on the same engine.
   * @default true
   */
  shouldAdaptLimit?: boolean;
}

export interface EngineDeps {
  plan: Plan;
  provider: ChatProvider;
  bus: EventBus;
  journal: { append(record: StepRecord): Promise<void> };
  /** Steps journaled by an earlier process of this run (resume); never requested again. */
  prior: readonly StepRecord[];
  settings: EngineSettings;
  /**
   * Builds the request for a task's next step; test and doc tasks see their refactor's result. `edit`: the
   * request asks for SEARCH/REPLACE edits of that file; `editFailures` edit answers of the task did not apply.
   */
  requestFor(task: Task, results: ReadonlyMap<TaskId, TaskResult>, editFailures: number): { request: ChatRequest; estimatedUSD: number; edit?: EditTarget };
  costUSD(model: string, usage: Usage): number;
  /** Whether an answer differs from what the output path held at HEAD. */
  isChange(task: Task, content: string): boolean;
  /** What each task's answers are screened against (source text, caps); absent: the screen's defaults. */
  answerLimits?: (task: Task) => AnswerLimits;
  /** First signal: start nothing new. Second: cancel what is in flight. */
  drain: AbortSignal;
  abort: AbortSignal;
  random?: () => number;
  /**
   * "repair": every step of this pass is a repair step of an already finished task (validation's repair
   * rounds). Steps and the journal say `kind: "repair"`, and no task.* events are emitted: the task
   * finished once already, and views count task events. Default: each step's kind is its task's role.
   */
  stepKind?: "repair";
  /** Steps started and USD spent by earlier passes of the same run, so maxSteps and maxCostUSD span passes. */
  spent?: { steps: number; costUSD: number };
  /** What `run.projection` scales: each task's estimate and what follows the last request. Absent: no projection. */
  projection?: Omit<ProjectionInput, "done" | "tasks" | "spentUSD" | "elapsedMs">;
}

export interface EngineResult {
  results: Map<TaskId, TaskResult>;
  /** Every journaled step, the prior ones first. */
  steps: StepRecord[];
  stoppedBy: StoppedBy;
  budget?: "steps" | "cost";
  spentUSD: number;
  /** The run-fatal error (rejected key), when stoppedBy is "auth". */
  fatal?: ErrorInfo;
}

/**
 * Runs the plan through a bounded queue:
 * - a task is queued the moment its last prerequisite succeeds; one queue job is one step, so a
 *   task waiting out a backoff holds no slot;
 * - each finished step is journaled (fsync) before it counts or is announced;
 * - 429s shrink the in-flight limit, successes grow it back; budgets are checked before each step;
 * - drain stops new steps and lets in-flight ones finish; abort cancels them.
 */
export async function executePlan(deps: EngineDeps): Promise<EngineResult> {
  const { plan, bus, settings } = deps;
  const random = deps.random ?? Math.random;
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  const ready = new ReadySet(plan.tasks);
  const tally = new TaskTally(plan.tasks);
  const results = new Map<TaskId, TaskResult>();
  const steps: StepRecord[] = [];
  const limits = settings.provider?.limits ?? {};
  const concurrency = Math.min(settings.concurrency, limits.concurrency ?? Infinity);
  const limit = createAdaptiveLimit(concurrency);
  const queue = new PQueue({ concurrency });
  const rates = limits.rpm !== undefined || limits.tpm !== undefined ? new RateWindow(limits, settings.rateWindowMs ?? 60_000) : null;
  /** Why the task's last answer was unusable, for the retry's note; and how many of its answers broke the format. */
  const lastErrors = new Map<TaskId, ErrorInfo>();
  const formatFailures = new Map<TaskId, number>();
  // Counted apart from formatFailures: edits that fail twice fall back to a whole-file request with its own retries.
  const editFailures = new Map<TaskId, number>();
  // 429s per task, earlier processes' included: they do not count against retry.attempts (retry-policy.ts).
  const rateLimited = new Map<TaskId, number>();
  for (const record of deps.prior) if (record.error?.code === "rate-limited") rateLimited.set(record.taskId, (rateLimited.get(record.taskId) ?? 0) + 1);
  const largest = Math.max(1, ...plan.tasks.map((t) => t.bytes));
  const budget: BudgetState = { stepsStarted: deps.spent?.steps ?? 0, spentUSD: deps.spent?.costUSD ?? 0, inFlightUSD: 0 };
  const kindOf = (task: Task): StepKind => deps.stepKind ?? task.role;
  const emitsTaskEvents = deps.stepKind === undefined;
  const warned = new Set<string>();
  const started = new Set<TaskId>();
  const backoffs = new Map<TaskId, { timer: NodeJS.Timeout; release: () => void }>();
  const runAbort = new AbortController();
  const stepSignal = AbortSignal.any([deps.abort, runAbort.signal]);
  // Declared through a cast: assignments happen in callbacks, which TypeScript's narrowing does not see.
  let stop = null as { stoppedBy: StoppedBy; budget?: "steps" | "cost"; fatal?: ErrorInfo } | null;
  // Queue jobs added and not yet returned. Counted here rather than read from p-queue: a job that
  // checks from inside itself would always see itself pending, and a stop would never settle.
  let jobs = 0;
  let settle!: () => void;
  let crash!: (error: unknown) => void;
  const settled = new Promise<void>((resolve, reject) => {
    settle = resolve;
    crash = reject;
  });
  const t0 = performance.now();
  const nowMs = () => performance.now() - t0;

  const checkSettled = () => {
    if (results.size === tasks.size) return settle();
    if (stop && jobs === 0 && backoffs.size === 0) settle();
  };

  let projected = 0;
  const project = () => {
    if (!deps.projection || !emitsTaskEvents) return;
    // Due is checked on the count: copying every decided id on each decision would be quadratic over a run.
    if (!isProjectionDue(projected, results.size, tasks.size)) return;
    const done = [...results.keys()];
    projected = done.length;
    const p = projectRun({ ...deps.projection, done, tasks: tasks.size, spentUSD: budget.spentUSD, elapsedMs: nowMs() });
    if (Number.isFinite(p.etaMs)) bus.emit({ type: "run.projection", costUSD: p.costUSD, etaMs: p.etaMs, tasksDone: done.length, tasks: tasks.size, spentUSD: budget.spentUSD });
  };

  const succeed = (task: Task, content: string) => {
    const changed = deps.isChange(task, content);
    const r = tally.result(task, "succeeded", { content, changed });
    results.set(task.id, r);
    if (emitsTaskEvents) bus.emit({
      type: "task.finished",
      taskId: task.id,
      role: task.role,
      file: task.file,
      output: task.output,
      attempts: r.attempts,
      usage: tally.usage(task.id),
      latencyMs: r.latencyMs,
      wallMs: r.wallMs,
      changed,
    });
    releases++;
    project();
    for (const next of ready.finished(task.id)) enqueue(next);
  };

  const fail = (task: Task, error: ErrorInfo) => {
    results.set(task.id, tally.result(task, "failed", { error }));
    if (emitsTaskEvents) bus.emit({ type: "task.failed", taskId: task.id, role: task.role, file: task.file, output: task.output, attempts: tally.attempts(task.id), error });
    // Tests and docs of a file whose refactor failed would describe code that is not on the branch.
    for (const dep of ready.dependentsOf(task.id)) {
      const d = tasks.get(dep)!;
      if (!results.has(dep)) fail(d, { code: "dependency-failed", message: `${task.id} failed` });
    }
    project();
  };

  const notRun = (task: Task, error: ErrorInfo) => {
    if (results.has(task.id)) return;
    results.set(task.id, tally.result(task, "not-run", { error }));
  };

  const stopReason = (): ErrorInfo =>
    stop?.stoppedBy === "budget"
      ? { code: "budget", message: `not started: the ${stop.budget} budget ran out` }
      : stop?.stoppedBy === "auth"
        ? { code: "aborted", message: "not started: the API key was rejected" }
        : { code: "interrupted", message: "not started: the run was interrupted" };

  const beginStop = (next: NonNullable<typeof stop>) => {
    if (stop) return;
    stop = next;
    bus.emit({ type: "run.draining", reason: next.stoppedBy === "budget" ? "budget" : next.stoppedBy === "auth" ? "auth" : "interrupt" });
    for (const [id, { timer, release }] of backoffs) {
      clearTimeout(timer);
      backoffs.delete(id);
      release();
      notRun(tasks.get(id)!, stopReason());
    }
    if (next.stoppedBy === "auth") runAbort.abort();
    checkSettled();
  };

  // Start order of the steps in flight, for the adaptive limit's estimate of what the server admitted.
  let startedSteps = 0;
  const inFlightStarts = new Set<number>();
  const enqueued = new Set<TaskId>();
  const enqueue = (id: TaskId) => {
    const task = tasks.get(id)!;
    // A task is queued once; its retries go through addStep. A second queueing would send a second request.
    if (enqueued.has(id)) return;
    enqueued.add(id);
    if (stop) return notRun(task, stopReason());
    if (emitsTaskEvents) bus.emit({ type: "task.queued", taskId: id, role: task.role, file: task.file });
    addStep(task);
  };

  /** One queue job per step. A throw here is a bug or a failed journal write: it fails the run instead of hanging it. */
  // Queue order, highest first: retries (they have waited out a backoff; their agent is what holds up the
  // tail), then tasks others wait for (refactors: their tests and docs), then the rest. Within each tier the
  // largest expected output first: with decode-bound latency (output tokens ÷ tokens per second) the largest
  // files set the makespan, so they must not start last. Among equal sizes the latest ready first: a test
  // that only became ready because its refactor was slow is on the run's critical path (bench/RESULTS.md,
  // scenario 1b). Tasks released by one finish share a priority, so they keep plan order among themselves.
  let releases = 0;
  const priorityOf = (task: Task, isRetry: boolean) =>
    (isRetry ? 3 : ready.dependentsOf(task.id).length > 0 ? 2 : 1) + 0.5 * (task.bytes / largest) + releases * 1e-12;

  const addStep = (task: Task, isRetry = false) => {
    jobs++;
    void queue.add(async () => {
      try {
        await runStep(task);
      } catch (error) {
        runAbort.abort();
        crash(error);
      } finally {
        jobs--;
        checkSettled();
      }
    }, { priority: priorityOf(task, isRetry) });
  };

  const setLimit = (change: LimitChange | undefined) => {
    if (change === undefined || settings.shouldAdaptLimit === false) return;
    queue.concurrency = change.limit;
    bus.emit({ type: "limit.changed", limit: change.limit, max: limit.max, reason: change.reason, detail: change.detail });
  };

  /** Holds a step until the provider's rpm/tpm allow it (FIFO, so a large request is not passed over forever). */
  let rateTurn = Promise.resolve();
  const rateSlot = (tokens: number): Promise<Charge | null> => {
    if (!rates) return Promise.resolve(null);
    const mine = rateTurn.then(async () => {
      for (let wait = rates.waitMs(nowMs(), tokens); wait > 0 && !stop; wait = rates.waitMs(nowMs(), tokens)) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return stop ? null : rates.charge(nowMs(), tokens);
    });
    rateTurn = mine.then(() => undefined);
    return mine;
  };

  const stepRun: StepRun = {
    provider: deps.provider,
    bus,
    journal: deps.journal,
    timeoutMs: settings.timeoutMs,
    ...(settings.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: settings.stallTimeoutMs }),
    onProgress: progressReporter(bus),
    retry: settings.retry,
    ...(deps.answerLimits ? { answerLimits: deps.answerLimits } : {}),
    signal: stepSignal,
    random,
  };

  async function runStep(task: Task): Promise<void> {
    if (stop) return notRun(task, stopReason());
    const planned = deps.requestFor(task, results, editFailures.get(task.id) ?? 0);
    const { estimatedUSD } = planned;
    const request = withRetryNote(planned.request, lastErrors.get(task.id));
    const charge = await rateSlot(expectedStepTokens(request.messages, expectedOutputTokens(task, request)));
    if (stop) return notRun(task, stopReason());
    const verdict = mayStartStep(budget, settings, estimatedUSD);
    if (!verdict.ok) {
      bus.emit({ type: "budget.exhausted", budget: verdict.budget, used: verdict.used, limit: verdict.limit, ...(verdict.budget === "cost" ? { spentUSD: budget.spentUSD, reserveUSD: budget.inFlightUSD + estimatedUSD, nextTasks: inFlightStarts.size + 1 } : {}) });
      beginStop({ stoppedBy: "budget", budget: verdict.budget });
      return notRun(task, stopReason());
    }
    budget.stepsStarted++;
    budget.inFlightUSD += estimatedUSD;
    const attempt = tally.startAttempt(task.id, nowMs());
    if (!started.has(task.id)) {
      started.add(task.id);
      if (emitsTaskEvents) bus.emit({ type: "task.started", taskId: task.id, role: task.role, file: task.file });
    }
    const window = limit.started();
    const startSeq = ++startedSteps;
    inFlightStarts.add(startSeq);

    const host: StepHost = {
      requestEnded(end, answer) {
        if (end === "rate-limited") {
          let ahead = 0;
          for (const s of inFlightStarts) if (s < startSeq) ahead++;
          setLimit(limit.rateLimited(window, ahead));
        } else {
          setLimit(limit.ended(window, end === "usable"));
        }
        inFlightStarts.delete(startSeq);
        if (rates && charge) {
          // A refused request is not charged by the provider; an answered one costs what its usage says.
          if (end === "rate-limited") rates.settle(charge, 0);
          else if (answer && answer.usage.inputTokens + answer.usage.outputTokens > 0) rates.settle(charge, answer.usage.inputTokens + answer.usage.outputTokens);
          if (answer?.rateLimit) rates.observe(nowMs(), answer.rateLimit);
        }
      },
      isStopping: () => stop !== null,
      charge(record) {
        budget.inFlightUSD -= estimatedUSD;
        const costUSD = deps.costUSD(request.model, record.usage);
        budget.spentUSD += costUSD;
        tally.book(record, nowMs());
        steps.push(record);
        return costUSD;
      },
    };
    const { record, verdict: next, stopsRun } = await runAgentStep(stepRun, { task, kind: kindOf(task), attempt, request, formatFailures: formatFailures.get(task.id) ?? 0, rateLimited: rateLimited.get(task.id) ?? 0, ...(planned.edit ? { edit: planned.edit } : {}) }, host);
    if (record.error) lastErrors.set(task.id, record.error);
    if (record.error?.code === "rate-limited") rateLimited.set(task.id, (rateLimited.get(task.id) ?? 0) + 1);
    if (record.error?.code === "edit-failed") editFailures.set(task.id, (editFailures.get(task.id) ?? 0) + 1);
    else if (record.error && FORMAT_FAILURES.has(record.error.code)) formatFailures.set(task.id, (formatFailures.get(task.id) ?? 0) + 1);

    for (const w of budgetWarning(budget, settings)) {
      if (warned.has(w.budget)) continue;
      warned.add(w.budget);
      bus.emit({ type: "budget.warning", ...w });
    }
    if (stopsRun) beginStop({ stoppedBy: "auth", fatal: record.error });
    switch (next.next) {
      case "succeeded":
        succeed(task, next.content);
        break;
      case "retry":
        // A refused request keeps its slot while it waits: handing the slot to another task at once would
        // send it to a server that just said it is full (after a burst, one more refusal per refusal).
        if (record.error?.code === "rate-limited") await holdBackoff(task, next.delayMs, record);
        else void holdBackoff(task, next.delayMs, record);
        break;
      case "cut-short":
        notRun(task, next.error ?? stopReason());
        break;
      case "failed":
        fail(task, next.error);
    }
    checkSettled();
  }

  /**
   * A retry waits out its delay, then queues again; a stop meanwhile leaves the task not run. Resolves when the
   * wait ends (or a stop cuts it): a caller that awaits it holds its queue slot meanwhile.
   */
  const holdBackoff = (task: Task, delayMs: number, record: StepRecord) => {
    bus.emit({ type: "step.retry", taskId: task.id, kind: kindOf(task), attempt: record.attempt, error: record.error!, ...(record.status ? { status: record.status } : {}), delayMs });
    return new Promise<void>((release) => {
      const timer = setTimeout(() => {
        backoffs.delete(task.id);
        if (stop) notRun(task, stopReason());
        else addStep(task, true);
        release();
        checkSettled();
      }, delayMs);
      backoffs.set(task.id, { timer, release });
    });
  };

  const onDrain = () => beginStop({ stoppedBy: "interrupt" });
  const onAbort = () => {
    // Said even after a drain began: the views must tell "waiting for in-flight" from "cancelling it".
    bus.emit({ type: "run.aborting", reason: "interrupt" });
    beginStop({ stoppedBy: "abort" });
  };
  deps.drain.addEventListener("abort", onDrain, { once: true });
  deps.abort.addEventListener("abort", onAbort, { once: true });
  if (deps.drain.aborted) onDrain();

  // Taken before the replay: it counts down prerequisites and queues what it releases itself, so a
  // set taken after it would hold those tasks too, and each would be requested twice.
  const initial = ready.initial(plan.tasks);
  replayPrior(deps.prior);
  for (const id of initial) if (!results.has(id)) enqueue(id);
  checkSettled();
  await settled;
  deps.drain.removeEventListener("abort", onDrain);
  deps.abort.removeEventListener("abort", onAbort);

  const why = stopReason();
  for (const task of plan.tasks) if (!results.has(task.id)) notRun(task, why);
  return {
    results,
    steps,
    stoppedBy: stop?.stoppedBy ?? "completed",
    ...(stop?.budget ? { budget: stop.budget } : {}),
    ...(stop?.fatal ? { fatal: stop.fatal } : {}),
    spentUSD: budget.spentUSD,
  };

  /** Rebuilds task states from an earlier process's journal; decided tasks release their dependents. */
  function replayPrior(prior: readonly StepRecord[]) {
    const decided: { task: Task; record: StepRecord }[] = [];
    for (const record of prior) {
      const task = tasks.get(record.taskId);
      if (!task || record.kind !== kindOf(task)) continue;
      tally.replay(record);
      // Attempt 0: a step decided without a request (a codemod's), which no step budget pays for.
      if (record.attempt > 0) budget.stepsStarted++;
      budget.spentUSD += deps.costUSD(record.model, record.usage);
      steps.push(record);
      if (record.final) decided.push({ task, record });
    }
    // Plan order keeps the replay (and so the events) deterministic.
    const order = new Map(plan.tasks.map((t, i) => [t.id, i]));
    decided.sort((a, b) => order.get(a.task.id)! - order.get(b.task.id)!);
    const decidedIds = new Set(decided.map((d) => d.task.id));
    const releasedBy = (task: Task) => task.dependsOn.every((d) => decidedIds.has(d));
    for (const { task, record } of decided) {
      if (results.has(task.id)) continue;
      if (record.ok) {
        results.set(task.id, tally.result(task, "succeeded", { content: record.content, changed: deps.isChange(task, record.content!) }));
      } else {
        results.set(task.id, tally.result(task, "failed", { error: record.error }));
      }
    }
    // Dependents of replayed tasks: mark the ones whose prerequisite failed, queue the ready ones.
    for (const { task, record } of decided) {
      for (const next of ready.finished(task.id)) {
        if (results.has(next)) continue;
        const n = tasks.get(next)!;
        if (!record.ok) fail(n, { code: "dependency-failed", message: `${task.id} failed` });
        else if (releasedBy(n)) enqueue(next);
      }
    }
  }
}

/** Output tokens a step is expected to write: about its file's size (a whole-file answer), within its max_tokens. */
function expectedOutputTokens(task: Task, request: ChatRequest): number {
  return Math.min(request.maxOutputTokens, Math.ceil(task.bytes / 3) + 64);
}

/** Streamed progress as step.progress events, at most one per step per second: enough for tokens/s, cheap at 300 agents. */
function progressReporter(bus: EventBus): NonNullable<StepRun["onProgress"]> {
  const last = new WeakMap<object, number>();
  return (step, p) => {
    const previous = last.get(step);
    if (previous !== undefined && p.elapsedMs - previous < 1000) return;
    last.set(step, p.elapsedMs);
    bus.emit({ type: "step.progress", taskId: step.task.id, kind: step.kind, attempt: step.attempt, outputTokens: p.outputTokens, elapsedMs: p.elapsedMs });
  };
}
