import { addUsage, zeroUsage, type StepRecord, type Task, type TaskId, type TaskResult, type Usage } from "../core/index.js";

interface TaskState {
  attempts: number;
  usage: Usage;
  latencyMs: number;
  firstStartMs?: number;
  lastEndMs?: number;
}

/** Per task: attempts, usage, model latency and wall time, summed over its steps; builds its TaskResult. */
export class TaskTally {
  readonly #state: Map<TaskId, TaskState>;

  constructor(tasks: readonly Task[]) {
    this.#state = new Map(tasks.map((t) => [t.id, { attempts: 0, usage: zeroUsage(), latencyMs: 0 }]));
  }

  /** A step of `id` starts at `atMs`; returns its attempt number. */
  startAttempt(id: TaskId, atMs: number): number {
    const st = this.#get(id);
    st.firstStartMs ??= atMs;
    return ++st.attempts;
  }

  /** A step of this process ended at `atMs`. */
  book(record: StepRecord, atMs: number): void {
    const st = this.#add(record);
    st.lastEndMs = atMs;
  }

  /** A step journaled by an earlier process of the run (resume): it counts, but took no wall time here. */
  replay(record: StepRecord): void {
    const st = this.#add(record);
    st.attempts = Math.max(st.attempts, record.attempt);
  }

  attempts(id: TaskId): number {
    return this.#get(id).attempts;
  }

  usage(id: TaskId): Usage {
    return this.#get(id).usage;
  }

  result(task: Task, status: TaskResult["status"], extra: Partial<TaskResult> = {}): TaskResult {
    const st = this.#get(task.id);
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
  }

  #add(record: StepRecord): TaskState {
    const st = this.#get(record.taskId);
    st.usage = addUsage(st.usage, record.usage);
    st.latencyMs += record.latencyMs;
    return st;
  }

  #get(id: TaskId): TaskState {
    const st = this.#state.get(id);
    if (!st) throw new Error(`no task ${id} in this plan`);
    return st;
  }
}
