import type { Task, TaskId } from "../core/index.js";

/**
 * Tracks unmet prerequisites so the engine can start a task the moment its last one finishes,
 * without polling.
 */
export class ReadySet {
  private readonly waitingOn = new Map<TaskId, number>();
  private readonly dependents = new Map<TaskId, TaskId[]>();

  constructor(tasks: readonly Task[]) {
    for (const t of tasks) {
      this.waitingOn.set(t.id, t.dependsOn.length);
      for (const d of t.dependsOn) {
        const list = this.dependents.get(d);
        if (list) list.push(t.id);
        else this.dependents.set(d, [t.id]);
      }
    }
  }

  /** Tasks with no prerequisites, in plan order. */
  initial(tasks: readonly Task[]): TaskId[] {
    return tasks.filter((t) => this.waitingOn.get(t.id) === 0).map((t) => t.id);
  }

  /** Marks `id` done; returns the dependents that just became ready. */
  finished(id: TaskId): TaskId[] {
    const ready: TaskId[] = [];
    for (const dep of this.dependents.get(id) ?? []) {
      const left = (this.waitingOn.get(dep) ?? 0) - 1;
      this.waitingOn.set(dep, left);
      if (left === 0) ready.push(dep);
    }
    return ready;
  }

  dependentsOf(id: TaskId): TaskId[] {
    return this.dependents.get(id) ?? [];
  }
}
