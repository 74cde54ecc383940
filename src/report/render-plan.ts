import type { Plan } from "../core/index.js";
import { alignColumns, plural, printable } from "../util/index.js";

/** `swarm plan` for people: counts by role, then each file's tasks with their order, then skips. */
export function renderPlan(input: { repo: string; headSha: string; plan: Plan }): string {
  const { plan } = input;
  const byRole = plan.roles.map((role) => `${role} ${plan.tasks.filter((t) => t.role === role).length}`).join(", ");
  const lines = [
    `Plan for ${printable(input.repo)} at ${input.headSha.slice(0, 12)}: ${plan.files.length} files → ${plan.tasks.length} tasks (${byRole})`,
    "",
  ];
  // Names come from the repository: escaped so a name cannot repaint the terminal or forge a line.
  const rows = plan.tasks.map((t) => [t.role, printable(t.file), "→", printable(t.output), t.dependsOn.length ? `after ${printable(t.dependsOn.join(", "))}` : ""]);
  lines.push("Tasks:", ...alignColumns(rows).map((l) => `  ${l.trimEnd()}`), "");
  if (plan.skips.length > 0) {
    lines.push(`Skipped ${plural(plan.skips.length, "file")}:`);
    lines.push(...alignColumns(plan.skips.map((s) => [printable(s.path), s.reason, printable(s.detail)])).map((l) => `  ${l.trimEnd()}`));
  } else lines.push("Skipped: none");
  for (const l of plan.leftOut ?? []) lines.push(`${l.count.toLocaleString("en-US")} ${l.what} left out (${l.why})`);
  return lines.join("\n") + "\n";
}
