import type { Plan } from "../core/types.js";
import { alignColumns } from "../util/format.js";

/** `swarm plan` for people: counts by role, then each file's tasks with their order, then skips. */
export function renderPlan(input: { repo: string; headSha: string; plan: Plan }): string {
  const { plan } = input;
  const byRole = plan.roles.map((role) => `${role} ${plan.tasks.filter((t) => t.role === role).length}`).join(", ");
  const lines = [
    `Plan for ${input.repo} at ${input.headSha.slice(0, 12)}: ${plan.files.length} files → ${plan.tasks.length} tasks (${byRole})`,
    "",
  ];
  const rows = plan.tasks.map((t) => [t.role, t.file, "→", t.output, t.dependsOn.length ? `after ${t.dependsOn.join(", ")}` : ""]);
  lines.push("Tasks:", ...alignColumns(rows).map((l) => `  ${l.trimEnd()}`), "");
  if (plan.skips.length > 0) {
    lines.push(`Skipped ${plan.skips.length} file${plan.skips.length === 1 ? "" : "s"}:`);
    lines.push(...alignColumns(plan.skips.map((s) => [s.path, s.reason, s.detail])).map((l) => `  ${l.trimEnd()}`));
  } else lines.push("Skipped: none");
  return lines.join("\n") + "\n";
}
