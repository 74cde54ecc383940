// Repair steps go through the same engine as every other step: one small executePlan pass per round,
// with step kind "repair". So they share the provider, the retry policy, the adaptive limit, the
// journal and the run's budgets (maxSteps, maxCostUSD count across passes), and there is no second
// request path to keep in step with the first.
import type { ErrorInfo, Plan, Role, StepRecord, StoppedBy, Task, TaskId, TaskStatus, Usage } from "../core/index.js";
import { executePlan, type EngineDeps } from "../execute/index.js";
import type { ChatMessage, ChatRequest } from "../llm/index.js";
import type { EditTarget } from "../prompt/index.js";

export interface RepairRequest {
  task: Task;
  messages: ChatMessage[];
  /** The messages ask for SEARCH/REPLACE edits of this content (the task's output as it is now). */
  edit?: EditTarget;
  /** The task's output as it is now: what the answer replaces, so what the deletion screen compares it with. */
  current?: string;
}

/** What one task's repair step(s) in a round came to. */
export interface RepairAnswer {
  status: TaskStatus;
  /** The new content of the task's output, when the step succeeded. */
  content?: string;
  error?: ErrorInfo;
  /** Summed over the round's steps for this task (retries included). */
  usage: Usage;
  latencyMs: number;
  /** Steps sent for this task in this round. */
  steps: number;
}

/** Runs one round: at most one repair step per request (plus its retries). */
export type RepairRunner = (requests: readonly RepairRequest[]) => Promise<Map<TaskId, RepairAnswer>>;

export interface RepairEngineDeps
  extends Pick<EngineDeps, "provider" | "bus" | "journal" | "settings" | "costUSD" | "drain" | "abort" | "random" | "answerLimits"> {
  /** The request of a repair step (model route, limits) and its estimated cost for the budget check. */
  requestFor(task: Task, messages: ChatMessage[]): { request: ChatRequest; estimatedUSD: number };
  /** What the run used before the first repair: the main pass's steps and spend. */
  spent: { steps: number; costUSD: number };
  /**
   * Steps journaled by an earlier process of this run (resume). Its repair steps are replayed instead of
   * sent again: the checks are deterministic, so a resumed run asks for the same repairs in the same order.
   */
  prior?: readonly StepRecord[];
}

export interface RepairSession {
  run: RepairRunner;
  /** Every repair step journaled so far, in order. */
  readonly steps: StepRecord[];
  /** The run's spend so far, the main pass's included. */
  spentUSD(): number;
  /** Why repairs stopped early ("budget", "interrupt", ...), or "completed". */
  stoppedBy(): StoppedBy;
}

export function createRepairSession(deps: RepairEngineDeps): RepairSession {
  const steps: StepRecord[] = [];
  let spent = { ...deps.spent };
  let stopped: StoppedBy = "completed";
  const segments = priorSegments(deps.prior ?? []);
  const rounds = new Map<TaskId, number>();

  const notRun = (requests: readonly RepairRequest[], error: ErrorInfo) =>
    new Map(requests.map((r) => [r.task.id, { status: "not-run" as const, error, usage: zero(), latencyMs: 0, steps: 0 }]));

  const run: RepairRunner = async (requests) => {
    if (requests.length === 0) return new Map();
    // A stopped run sends nothing more; the engine would only announce the stop a second time.
    if (deps.abort.aborted) stopped = "abort";
    else if (deps.drain.aborted && stopped === "completed") stopped = "interrupt";
    if (stopped !== "completed") return notRun(requests, { code: stopped === "budget" ? "budget" : "interrupted", message: `repair not started: the run stopped (${stopped})` });

    const messages = new Map(requests.map((r) => [r.task.id, r.messages]));
    const edits = new Map(requests.map((r) => [r.task.id, r.edit]));
    const current = new Map(requests.map((r) => [r.task.id, r.current]));
    const answerLimits = deps.answerLimits;
    const plan: Plan = {
      version: 1,
      roles: unique(requests.map((r) => r.task.role)) as Role[],
      // Repairs of one round are independent of each other: no task waits for another.
      tasks: requests.map((r) => ({ ...r.task, dependsOn: [] })),
      files: [],
      skips: [],
    };
    // The n-th repair of a task replays the n-th journaled segment of its repair steps, if there is one.
    const prior = requests.flatMap((r) => {
      const n = rounds.get(r.task.id) ?? 0;
      rounds.set(r.task.id, n + 1);
      return segments.get(r.task.id)?.[n] ?? [];
    });
    const pass = await executePlan({
      plan,
      provider: deps.provider,
      bus: deps.bus,
      journal: deps.journal,
      prior,
      settings: deps.settings,
      requestFor: (task) => {
        const edit = edits.get(task.id);
        return { ...deps.requestFor(task, messages.get(task.id)!), ...(edit ? { edit } : {}) };
      },
      costUSD: deps.costUSD,
      isChange: () => true,
      drain: deps.drain,
      abort: deps.abort,
      ...(deps.random ? { random: deps.random } : {}),
      ...(answerLimits ? { answerLimits: (task: Task) => ({ ...answerLimits(task), ...(current.get(task.id) === undefined ? {} : { source: current.get(task.id) }) }) } : {}),
      stepKind: "repair",
      spent,
    });
    steps.push(...pass.steps);
    // pass.steps holds the replayed steps too, and the engine counted them into its budget as well.
    spent = { steps: spent.steps + pass.steps.length, costUSD: pass.spentUSD };
    if (pass.stoppedBy !== "completed") stopped = pass.stoppedBy;

    const answers = new Map<TaskId, RepairAnswer>();
    for (const [id, result] of pass.results) {
      const answer: RepairAnswer = {
        status: result.status,
        usage: { inputTokens: result.inputTokens, cachedInputTokens: result.cachedInputTokens, outputTokens: result.outputTokens },
        latencyMs: result.latencyMs,
        steps: result.attempts,
      };
      if (result.content !== undefined) answer.content = result.content;
      if (result.error) answer.error = result.error;
      answers.set(id, answer);
    }
    return answers;
  };

  return { run, steps, spentUSD: () => spent.costUSD, stoppedBy: () => stopped };
}

/** A task's journaled repair steps, cut after each final one: one segment per repair it went through. */
export function priorSegments(prior: readonly StepRecord[]): Map<TaskId, StepRecord[][]> {
  const segments = new Map<TaskId, StepRecord[][]>();
  const open = new Map<TaskId, StepRecord[]>();
  for (const record of prior) {
    if (record.kind !== "repair") continue;
    let current = open.get(record.taskId);
    if (!current) {
      current = [];
      open.set(record.taskId, current);
      const list = segments.get(record.taskId) ?? [];
      list.push(current);
      segments.set(record.taskId, list);
    }
    current.push(record);
    if (record.final) open.delete(record.taskId);
  }
  return segments;
}

const zero = (): Usage => ({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 });
const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];
