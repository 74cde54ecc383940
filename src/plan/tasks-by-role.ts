import type { Plan, Role } from "../core/index.js";

/** Planned tasks per role, every role of the plan present: the views' per-role totals before tests and docs are queued. */
export function tasksByRole(plan: Pick<Plan, "roles" | "tasks">): Partial<Record<Role, number>> {
  const counts: Partial<Record<Role, number>> = Object.fromEntries(plan.roles.map((role) => [role, 0]));
  for (const task of plan.tasks) counts[task.role] = (counts[task.role] ?? 0) + 1;
  return counts;
}
