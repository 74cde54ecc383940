import type { Plan } from "../core/types.js";
import type { Estimate } from "../estimate/estimate.js";
import { alignColumns, formatDuration, formatTokens, formatUSD } from "../util/format.js";

/** `swarm estimate` for people: a table per role and total, the wall time and its assumptions. */
export function renderEstimate(input: { repo: string; plan: Plan; estimate: Estimate; concurrency: number; assumedLatencyMs: number; model: string }): string {
  const { estimate: e, plan } = input;
  const header = ["role", "tasks", "input tok", "cached", "output tok", "USD"];
  const row = (name: string, r: Estimate["total"]) => [name, String(r.tasks), formatTokens(r.inputTokens), formatTokens(r.cachedInputTokens), formatTokens(r.outputTokens), formatUSD(r.costUSD)];
  const rows = [header, ...plan.roles.filter((role) => e.byRole[role]).map((role) => row(role, e.byRole[role]!)), row("total", e.total)];
  const lines = [
    `Estimate for ${input.repo}: ${plan.files.length} files → ${plan.tasks.length} tasks, model ${input.model} (no request sent)`,
    "",
    ...alignColumns(rows, ["left", "right", "right", "right", "right", "right"]).map((l) => `  ${l.trimEnd()}`),
    "",
    `Expected cost: ${formatUSD(e.total.costUSD)}${e.calibrated ? " (calibrated from earlier runs)" : ""}`,
    `Expected wall time: ~${formatDuration(e.wallMs)} at concurrency ${input.concurrency}, assuming ${formatDuration(input.assumedLatencyMs)} per request`,
  ];
  if (e.assumptions.length > 0) lines.push("Assumptions:", ...e.assumptions.map((a) => `  - ${a}`));
  if (plan.skips.length > 0) lines.push(`Skipped ${plan.skips.length} file(s); swarm plan lists them.`);
  return lines.join("\n") + "\n";
}
