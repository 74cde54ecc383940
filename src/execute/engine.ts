import PQueue from "p-queue";
import { zeroUsage, addUsage, type ErrorInfo, type Plan, type StepKind, type StepRecord, type StoppedBy, type Task, type TaskId, type TaskResult, type Usage } from "../core/types.js";
import type { EventBus } from "../events/bus.js";
import { StepFailure, type ChatProvider, type ChatRequest } from "../llm/provider.js";
import { parseAnswer } from "../prompt/parse-answer.js";
import { createAdaptiveLimit } from "./adaptive-limit.js";
import { budgetWarning, mayStartStep, type BudgetState } from "./budget.js";
import { ReadySet } from "./ready-set.js";
import { retryDelayMs, shouldRetry, type RetrySettings } from "./retry-policy.js";

export interface EngineSettings {
  concurrency: number;
  timeoutMs: number;
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
  /** Builds the request for a task's next step; test and doc tasks see their refactor's result. */
  requestFor(task: Task, results: ReadonlyMap<TaskId, TaskResult>): { request: ChatRequest; estimatedUSD: number };
  costUSD(model: string, usage: Usage): number;
  /** Whether an answer differs from what the output path held at HEAD. */
  isChange(task: Task, content: string): boolean;
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

interface TaskState {
  attempts: number;
  usage: Usage;
  latencyMs: number;
  firstStartMs?: number;
  lastEndMs?: number;
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
  const state = new Map<TaskId, TaskState>(plan.tasks.map((t) => [t.id, { attempts: 0, usage: zeroUsage(), latencyMs: 0 }]));
  const results = new Map<TaskId, TaskResult>();
  const steps: StepRecord[] = [];
  const limit = createAdaptiveLimit(settings.concurrency);
  const queue = new PQueue({ concurrency: settings.concurrency });
  const budget: BudgetState = { stepsStarted: deps.spent?.steps ?? 0, spentUSD: deps.spent?.costUSD ?? 0, inFlightUSD: 0 };
  const kindOf = (task: Task): StepKind => deps.stepKind ?? task.role;
  const emitsTaskEvents = deps.stepKind === undefined;
  const warned = new Set<string>();
  const started = new Set<TaskId>();
  const backoffs = new Map<TaskId, NodeJS.Timeout>();
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

  const result = (task: Task, status: TaskResult["status"], extra: Partial<TaskResult> = {}): TaskResult => {
    const st = state.get(task.id)!;
    return {
      id: task.id,
      role: task.role,
      file: task.file,
      output: task.output,
      status,
      attempts: st.attempts,
      inputTokens: st.usage.inputTokens,
      cachedInputTokens: st.usage.cachedInputTokens,
      outputTokens: st.usage.outputTokens,
      latencyMs: st.latencyMs,
      wallMs: st.firstStartMs === undefined ? 0 : Math.round((st.lastEndMs ?? st.firstStartMs) - st.firstStartMs),
      ...extra,
    };
  };

  const checkSettled = () => {
    if (results.size === tasks.size) return settle();
    if (stop && jobs === 0 && backoffs.size === 0) settle();
  };

  const succeed = (task: Task, content: string) => {
    const changed = deps.isChange(task, content);
    const r = result(task, "succeeded", { content, changed });
    results.set(task.id, r);
    if (emitsTaskEvents) bus.emit({
      type: "task.finished",
      taskId: task.id,
      role: task.role,
      file: task.file,
      output: task.output,
      attempts: r.attempts,
      usage: state.get(task.id)!.usage,
      latencyMs: r.latencyMs,
      wallMs: r.wallMs,
      changed,
    });
    releases++;
    for (const next of ready.finished(task.id)) enqueue(next);
  };

  const fail = (task: Task, error: ErrorInfo) => {
    results.set(task.id, result(task, "failed", { error }));
    if (emitsTaskEvents) bus.emit({ type: "task.failed", taskId: task.id, role: task.role, file: task.file, output: task.output, attempts: state.get(task.id)!.attempts, error });
    // Tests and docs of a file whose refactor failed would describe code that is not on the branch.
    for (const dep of ready.dependentsOf(task.id)) {
      const d = tasks.get(dep)!;
      if (!results.has(dep)) fail(d, { code: "dependency-failed", message: `${task.id} failed` });
    }
  };

  const notRun = (task: Task, error: ErrorInfo) => {
    if (results.has(task.id)) return;
    results.set(task.id, result(task, "not-run", { error }));
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
    for (const [id, timer] of backoffs) {
      clearTimeout(timer);
      backoffs.delete(id);
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
  // tail), then tasks others wait for (refactors: their tests and docs), then the rest, the latest ready
  // first. A test that only became ready because its refactor was slow is on the run's critical path;
  // leaves ready earlier have the rest of the run to finish in (bench/RESULTS.md, scenario 1b).
  // Tasks released by one finish share a priority, so they keep plan order among themselves.
  let releases = 0;
  const priorityOf = (task: Task, isRetry: boolean) =>
    isRetry ? 3 : ready.dependentsOf(task.id).length > 0 ? 2 : 1 + releases * 1e-9;

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

  const setLimit = (next: number | undefined, reason: "rate-limited" | "recovered") => {
    if (next === undefined || settings.shouldAdaptLimit === false) return;
    queue.concurrency = next;
    bus.emit({ type: "limit.changed", limit: next, max: limit.max, reason });
  };

  async function runStep(task: Task): Promise<void> {
    if (stop) return notRun(task, stopReason());
    const { request, estimatedUSD } = deps.requestFor(task, results);
    const verdict = mayStartStep(budget, settings, estimatedUSD);
    if (!verdict.ok) {
      bus.emit({ type: "budget.exhausted", budget: verdict.budget, used: verdict.used, limit: verdict.limit });
      beginStop({ stoppedBy: "budget", budget: verdict.budget });
      return notRun(task, stopReason());
    }
    const st = state.get(task.id)!;
    budget.stepsStarted++;
    budget.inFlightUSD += estimatedUSD;
    const attempt = ++st.attempts;
    st.firstStartMs ??= nowMs();
    if (!started.has(task.id)) {
      started.add(task.id);
      if (emitsTaskEvents) bus.emit({ type: "task.started", taskId: task.id, role: task.role, file: task.file });
    }
    bus.emit({ type: "step.started", taskId: task.id, kind: kindOf(task), attempt, model: request.model });
    const window = limit.started();
    const startSeq = ++startedSteps;
    inFlightStarts.add(startSeq);

    let record: StepRecord;
    let retryAfterMs: number | undefined;
    let fatalRun = false;
    let retriable = false;
    try {
      const answer = await deps.provider.complete(request, { signal: stepSignal, timeoutMs: settings.timeoutMs });
      const parsed = parseAnswer(answer.text, answer.finishReason);
      record = {
        taskId: task.id,
        kind: kindOf(task),
        attempt,
        model: request.model,
        ok: parsed.ok,
        ...(parsed.ok ? { content: parsed.content } : { error: parsed.error }),
        usage: answer.usage,
        latencyMs: answer.latencyMs,
        finishReason: answer.finishReason ?? undefined,
        final: false,
      };
      retriable = !parsed.ok;
      if (parsed.ok) setLimit(limit.succeeded(window), "recovered");
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      record = {
        taskId: task.id,
        kind: kindOf(task),
        attempt,
        model: request.model,
        ok: false,
        error: error.info,
        usage: zeroUsage(),
        latencyMs: error.latencyMs,
        ...(error.status === undefined ? {} : { status: error.status }),
        final: false,
      };
      retryAfterMs = error.retryAfterMs;
      retriable = error.failure === "transient";
      fatalRun = error.failure === "fatal-run";
      if (error.info.code === "rate-limited") {
        let ahead = 0;
        for (const s of inFlightStarts) if (s < startSeq) ahead++;
        setLimit(limit.rateLimited(window, ahead), "rate-limited");
      }
    }
    inFlightStarts.delete(startSeq);

    const aborted = record.error?.code === "aborted";
    const willRetry = !record.ok && retriable && shouldRetry(attempt, settings.retry) && !stop && !aborted;
    // A step cut short by a stop is not the task's last word: resume tries it again.
    // So is a rejected key: once it is fixed, `swarm resume` must ask again.
    const cutShort = !record.ok && (aborted || fatalRun || (retriable && shouldRetry(attempt, settings.retry) && stop !== null));
    record.final = !willRetry && !cutShort;

    await deps.journal.append(record);
    budget.inFlightUSD -= estimatedUSD;
    const costUSD = deps.costUSD(request.model, record.usage);
    budget.spentUSD += costUSD;
    st.usage = addUsage(st.usage, record.usage);
    st.latencyMs += record.latencyMs;
    st.lastEndMs = nowMs();
    steps.push(record);
    bus.emit({
      type: "step.finished",
      taskId: task.id,
      kind: kindOf(task),
      attempt,
      ok: record.ok,
      usage: record.usage,
      costUSD,
      latencyMs: record.latencyMs,
      ...(record.error ? { error: record.error } : {}),
    });
    for (const w of budgetWarning(budget, settings)) {
      if (warned.has(w.budget)) continue;
      warned.add(w.budget);
      bus.emit({ type: "budget.warning", ...w });
    }

    if (fatalRun) beginStop({ stoppedBy: "auth", fatal: record.error });
    if (record.ok) succeed(task, record.content!);
    else if (willRetry) {
      const delayMs = retryDelayMs(attempt, settings.retry, random, retryAfterMs);
      bus.emit({ type: "step.retry", taskId: task.id, kind: kindOf(task), attempt, error: record.error!, ...(record.status ? { status: record.status } : {}), delayMs });
      const timer = setTimeout(() => {
        backoffs.delete(task.id);
        if (stop) {
          notRun(task, stopReason());
          return checkSettled();
        }
        addStep(task, true);
      }, delayMs);
      backoffs.set(task.id, timer);
    } else if (cutShort) notRun(task, fatalRun ? record.error! : aborted ? { code: "aborted", message: "cancelled in flight" } : stopReason());
    else fail(task, record.error!);
    checkSettled();
  }

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
      const st = state.get(task.id)!;
      st.attempts = Math.max(st.attempts, record.attempt);
      st.usage = addUsage(st.usage, record.usage);
      st.latencyMs += record.latencyMs;
      budget.stepsStarted++;
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
        results.set(task.id, result(task, "succeeded", { content: record.content, changed: deps.isChange(task, record.content!) }));
      } else {
        results.set(task.id, result(task, "failed", { error: record.error }));
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
