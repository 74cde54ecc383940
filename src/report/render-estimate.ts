import type { Plan } from "../core/index.js";
import type { Estimate, Range, SampleExtrapolation, SampleSelection } from "../estimate/index.js";
import { alignColumns, formatDuration, formatPercent, formatTokens, formatUSD, plural } from "../util/index.js";

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
    `Expected cost: ${formatUSD(e.total.costUSD)} (${describeCalibration(e)})`,
    `Expected wall time: ~${formatDuration(e.wallMs)} at concurrency ${input.concurrency}, assuming ${formatDuration(input.assumedLatencyMs)} per request`,
  ];
  if (e.assumptions.length > 0) lines.push("Assumptions:", ...e.assumptions.map((a) => `  - ${a}`));
  if (plan.skips.length > 0) lines.push(`Skipped ${plan.skips.length} file(s); swarm plan lists them.`);
  return lines.join("\n") + "\n";
}

/** "calibrated from 3 runs" or why not: the reader should know whether the figures were ever checked. */
export function describeCalibration(e: Pick<Estimate, "calibrated" | "calibratedFromRuns">): string {
  if (!e.calibrated) return "uncalibrated: no earlier run of this model and role in this repository";
  const runs = e.calibratedFromRuns ?? 1;
  return `calibrated from ${plural(runs, "run")}`;
}

export interface RenderSampleInput {
  repo: string;
  /** The repository as the user typed it, for the command to copy. */
  repoArg: string;
  plan: Plan;
  estimate: Estimate;
  model: string;
  runId: string;
  runDir: string;
  stoppedBy: string;
  selection: SampleSelection;
  extrapolation: SampleExtrapolation;
}

/** `swarm estimate --sample N`: the extrapolated range beside the static estimate, and how to reuse the sample. */
export function renderSampleEstimate(input: RenderSampleInput): string {
  const { extrapolation: x, selection, plan } = input;
  const range = (r: Range, format: (n: number) => string) => `${format(r.low)}–${format(r.expected)}–${format(r.high)}`;
  const header = ["role", "tasks", "sampled", "static USD", "USD low–expected–high", "output tok low–expected–high", "cache hits", "retries"];
  const row = (name: string, r: SampleExtrapolation["total"]) => [
    name,
    String(r.tasks),
    String(r.sampled),
    formatUSD(r.staticUSD),
    range(r.costUSD, formatUSD),
    range(r.outputTokens, formatTokens),
    formatPercent(r.measured.cacheHitShare, { digits: 1 }),
    String(r.measured.retries),
  ];
  const rows = [header, ...plan.roles.filter((role) => x.byRole[role]).map((role) => row(role, x.byRole[role]!)), row("total", x.total)];
  const extra = selection.prerequisites.length > 0 ? ` (+${plural(selection.prerequisites.length, "prerequisite refactor")})` : "";
  const lines = [
    `Sampled estimate for ${input.repo}: ${plan.tasks.length} tasks, model ${input.model}; ${selection.picked.length} tasks run for real${extra}, ${formatUSD(x.total.measured.costUSD)} spent`,
    "",
    ...alignColumns(rows, ["left", "right", "right", "right", "right", "right", "right", "right"]).map((l) => `  ${l.trimEnd()}`),
    "",
    `Expected cost: ${formatUSD(x.total.costUSD.expected)} (range ${formatUSD(x.total.costUSD.low)}–${formatUSD(x.total.costUSD.high)}); static estimate ${formatUSD(input.estimate.total.costUSD)} (${describeCalibration(input.estimate)})`,
    `Input tokens: ${range(x.total.inputTokens, formatTokens)}, of them cached ${range(x.total.cachedInputTokens, formatTokens)}`,
  ];
  if (input.stoppedBy !== "completed") lines.push(`The sample stopped early (${input.stoppedBy}); the range rests on the tasks that finished.`);
  lines.push(
    "Assumptions:",
    ...x.assumptions.map((a) => `  - ${a}`),
    "",
    `The sampled answers are kept in ${input.runDir}.`,
    `Continue without paying for them again: swarm run --from-sample ${input.runId} ${/^[\w./-]+$/.test(input.repoArg) ? input.repoArg : JSON.stringify(input.repoArg)}`,
  );
  return lines.join("\n") + "\n";
}
