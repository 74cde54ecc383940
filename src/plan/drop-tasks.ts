import type { DroppedTask, Plan, TaskId } from "../core/index.js";

/**
 * Pure: the plan without the given tasks, and without every task that depends on one of them (a test of a
 * refactor that will not run would test code that is not on the branch). Each left-out task is listed in
 * `plan.dropped` with its reason.
 */
export function dropTasks(plan: Plan, reasons: ReadonlyMap<TaskId, string>): Plan {
  if (reasons.size === 0) return plan;
  const why = new Map(reasons);
  // Tasks are in dependency order within a role, and roles in order, so one pass reaches every dependent.
  for (const task of plan.tasks) {
    const blocker = task.dependsOn.find((d) => why.has(d));
    if (!why.has(task.id) && blocker !== undefined) why.set(task.id, `${blocker} was left out`);
  }
  const dropped: DroppedTask[] = plan.tasks.filter((t) => why.has(t.id)).map((t) => ({ taskId: t.id, output: t.output, reason: why.get(t.id)! }));
  const tasks = plan.tasks.filter((t) => !why.has(t.id));
  const kept = new Set(tasks.map((t) => t.file));
  return { ...plan, tasks, files: plan.files.filter((f) => kept.has(f.path)), dropped: [...(plan.dropped ?? []), ...dropped] };
}
