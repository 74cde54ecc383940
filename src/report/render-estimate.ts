import type { Plan } from "../core/index.js";
import { calibrationSource, type Estimate, type Range, type SampleExtrapolation, type SampleSelection } from "../estimate/index.js";
import { alignColumns, formatDuration, formatPercent, formatTokens, formatUSD, plural } from "../util/index.js";

/** Tasks the estimate does not price because a codemod (--codemod) finishes them before any request. */
const codemodDone = (plan: Plan, e: Estimate) => (e.total.tasks < plan.tasks.length ? ` (${plan.tasks.length - e.total.tasks} done by the codemod, no request)` : "");

/** `swarm estimate` for people: a table per role and total, the wall time and its assumptions. */
export function renderEstimate(input: { repo: string; plan: Plan; estimate: Estimate; concurrency: number; assumedLatencyMs: number; model: string }): string {
  const { estimate: e, plan } = input;
  const header = ["role", "tasks", "input tok", "cached", "output tok", "USD"];
  const row = (name: string, r: Estimate["total"]) => [name, String(r.tasks), formatTokens(r.inputTokens), formatTokens(r.cachedInputTokens), formatTokens(r.outputTokens), formatUSD(r.costUSD)];
  // Roles include their expected retries; repairs are a step kind of their own, so the rows add up to the total.
  const repair = e.byRole.repair ? [row("repair", e.byRole.repair)] : [];
  const rows = [header, ...plan.roles.filter((role) => e.byRole[role]).map((role) => row(role, e.byRole[role]!)), ...repair, row("total", e.total)];
  const lines = [
    `Estimate for ${input.repo}: ${plan.files.length} files → ${plan.tasks.length} tasks${codemodDone(plan, e)}, model ${input.model} (no request sent)`,
    "",
    ...alignColumns(rows, ["left", "right", "right", "right", "right", "right"]).map((l) => `  ${l.trimEnd()}`),
    "",
    ...renderLines(e),
    `Expected cost: ${formatUSD(e.total.costUSD)}${e.rangeUSD ? ` (range ${formatUSD(e.rangeUSD.low)}–${formatUSD(e.rangeUSD.expected)}–${formatUSD(e.rangeUSD.high)})` : ""} (${describeCalibration(e)})`,
    `Expected wall time: ~${formatDuration(e.wallMs)} at concurrency ${input.concurrency}${e.timeMs ? ` (requests ~${formatDuration(e.timeMs.requests)}, validation ~${formatDuration(e.timeMs.validation)}, commit and report ~${formatDuration(e.timeMs.commit)})` : `, assuming ${formatDuration(input.assumedLatencyMs)} per request`}`,
  ];
  if (e.assumptions.length > 0) lines.push("Assumptions:", ...e.assumptions.map((a) => `  - ${a}`));
  if (plan.skips.length > 0) lines.push(`Skipped ${plan.skips.length} file(s); swarm plan lists them.`);
  return lines.join("\n") + "\n";
}

/** The parts the total adds up: first attempts, expected retries and repairs (issue 16). */
function renderLines(e: Estimate): string[] {
  if (!e.lines) return [];
  const { firstAttempts: f, retries: r, repairs: p } = e.lines;
  const steps = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
  const rows = [
    ["part", "requests", "input tok", "output tok", "USD"],
    ["first attempts", steps(f.steps), formatTokens(f.usage.inputTokens), formatTokens(f.usage.outputTokens), formatUSD(f.costUSD)],
    [`retries (${r.source})`, steps(r.steps), formatTokens(r.usage.inputTokens), formatTokens(r.usage.outputTokens), formatUSD(r.costUSD)],
    [`repairs (${p.source})`, steps(p.steps), formatTokens(p.usage.inputTokens), formatTokens(p.usage.outputTokens), formatUSD(p.costUSD)],
  ];
  return [...alignColumns(rows, ["left", "right", "right", "right", "right"]).map((l) => `  ${l.trimEnd()}`), ""];
}

/** "calibrated from 3 runs" or why not: the reader should know whether the figures were ever checked. */
export function describeCalibration(e: Pick<Estimate, "calibrated" | "calibratedFromRuns" | "calibratedFromSampleTasks">): string {
  if (!e.calibrated) return "uncalibrated: no earlier run of this model and role in this repository";
  return calibrationSource(e.calibratedFromRuns ?? 0, e.calibratedFromSampleTasks ?? 0);
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
