import type { ErrorInfo, StoppedBy } from "../core/index.js";
import type { SummaryDistribution, SummaryMetrics, TaskCounts } from "../events/index.js";
import { alignColumns, formatDuration, formatPercent, formatPercentValue, formatTokens, formatUSD, oneLine, plural } from "../util/index.js";
import { errorPct } from "./build-report.js";
import { summarizeMetrics } from "./metrics.js";
import type { Distribution, MissingEntry, Report, ReportCommit, TokenTotals } from "./types.js";

// Three views of one Report: report.md (everything a reviewer needs), the GitHub step summary
// (the headline and what went wrong) and the terminal text of `swarm report`.

const MAX_ROWS = 50;
const MAX_SUMMARY_FAILURES = 20;

// ---------------------------------------------------------------------------------------------
// Shared phrasing

export function describeStoppedBy(stoppedBy: StoppedBy, budget: "steps" | "cost" | null = null): string {
  switch (stoppedBy) {
    case "completed":
      return "completed";
    case "budget":
      return budget ? `stopped by the ${budget} budget` : "stopped by a budget";
    case "interrupt":
      return "interrupted";
    case "auth":
      return "stopped: the endpoint rejected the API key";
    case "abort":
      return "aborted";
  }
}

/** "$0.42 (estimate $1.10, -62%)" or "$0.42 (no estimate)". */
export function describeCost(costUSD: number, estimatedCostUSD: number | null): string {
  if (estimatedCostUSD === null) return `${formatUSD(costUSD)} (no estimate)`;
  const error = errorPct(estimatedCostUSD, costUSD);
  return `${formatUSD(costUSD)} (estimate ${formatUSD(estimatedCostUSD)}, ${formatPercentValue(error, { signed: true })})`;
}

/** "62.3% of input tokens (estimate 58.1%)": the prefix cache is where the estimate's cache rule meets the bill. */
function describeCacheShare(report: Report): string {
  const actual = report.cacheHitShare === null ? "no input tokens billed" : `${formatPercent(report.cacheHitShare, { digits: 1 })} of input tokens`;
  const est = report.estimate?.total;
  return est && est.input > 0 ? `${actual} (estimate ${formatPercent(est.cachedInput / est.input, { digits: 1 })})` : actual;
}

function describeTokens(tokens: TokenTotals): string {
  const cached = tokens.input === 0 ? "" : ` (${formatPercent(tokens.cachedInput / tokens.input)} cached)`;
  return `${formatTokens(tokens.input)} in${cached} · ${formatTokens(tokens.output)} out`;
}

function describeCounts(counts: TaskCounts): string {
  const parts = [`${counts.succeeded}/${counts.total} tasks succeeded`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.notRun > 0) parts.push(`${counts.notRun} not run`);
  return parts.join(", ");
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function describeCauses(byCause: Partial<Record<string, number>>): string {
  const entries = Object.entries(byCause)
    .filter((e): e is [string, number] => (e[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.map(([cause, n]) => `${cause} ${n}`).join(", ");
}

function describeDistribution(d: Distribution, format: (n: number) => string): string {
  return d.count === 0 ? "none" : `p50 ${format(d.p50)} · p95 ${format(d.p95)} · max ${format(d.max)}`;
}

// ---------------------------------------------------------------------------------------------
// Swarm metrics in brief (final summary, CI log, step summary)

/** "99.9% (899/900)", and ", below the 95% target" when it is. */
export function describeCompletion(c: SummaryMetrics["completion"]): string {
  const flag = c.isBelowTarget ? `, below the ${formatPercent(c.target)} target` : "";
  return `${formatPercent(c.rate, { digits: 1 })} (${c.succeeded}/${c.total})${flag}`;
}

/** "refactor 1.2 s/3.4 s/5.1 s, test 900 ms/2.1 s/3.0 s": p50/p95/max per role, roles without agents left out. */
export function describeSpreadByRole(
  byRole: Readonly<Record<string, SummaryDistribution>>,
  format: (n: number) => string,
  separator = ", ",
): string {
  return Object.entries(byRole)
    .filter(([, d]) => d.count > 0)
    .map(([role, d]) => `${role} ${format(d.p50)}/${format(d.p95)}/${format(d.max)}`)
    .join(separator);
}

/** One phrase per outlier shown: "src/a.ts (refactor) 12 s, role p50 1.2 s" / "src/b.ts (test) 40k tokens, 4.1x the median". */
export function describeOutliers(m: SummaryMetrics): string[] {
  return [
    ...m.slowOutliers.top.map((o) => `slow: ${o.file} (${o.role}) ${formatDuration(o.wallMs)}, role p50 ${formatDuration(o.roleP50)}`),
    ...m.tokenOutliers.top.map((o) => `tokens: ${o.file} (${o.role}) ${formatTokens(o.tokens)}, ${o.ratio.toFixed(1)}x the role median`),
  ];
}

/** Outliers counted but not listed in the brief form. */
/** "Edit answers: 3 of 40 did not apply (7.5%)": how well the run's model wrote SEARCH/REPLACE edits. */
export function describeEditAnswers(e: NonNullable<SummaryMetrics["editAnswers"]>): string {
  return `Edit answers: ${e.failed} of ${e.applied + e.failed} did not apply (${formatPercent(e.rate, { digits: 1 })})`;
}

export function hiddenOutliers(m: SummaryMetrics): number {
  return m.slowOutliers.count - m.slowOutliers.top.length + (m.tokenOutliers.count - m.tokenOutliers.top.length);
}

function stepSummaryMetrics(m: SummaryMetrics): string[] {
  const completion = m.completion.isBelowTarget
    ? `${formatPercent(m.completion.rate, { digits: 1 })} (${m.completion.succeeded}/${m.completion.total}) — **below the ${formatPercent(m.completion.target)} target**`
    : describeCompletion(m.completion);
  const roles = Object.keys(m.wallMsByRole).filter((role) => (m.wallMsByRole[role]?.count ?? 0) > 0);
  const lines = [
    "",
    "#### Metrics",
    "",
    `Completion: ${completion}`,
    `Retries: ${m.retries.total}${m.retries.total ? ` (${describeCauses(m.retries.byCause)})` : ""}; rate-limited (429) responses: ${m.rateLimited}`,
  ];
  if (roles.length > 0) {
    lines.push(
      "",
      ...table(
        ["Role", "Agents", "Wall p50", "Wall p95", "Wall max", "Tokens p50", "Tokens max"],
        roles.map((role) => roleMetricsRow(role, m.wallMsByRole[role]!, m.tokensPerAgentByRole[role], ["p50", "max"])),
        [1, 2, 3, 4, 5, 6],
      ),
    );
  }
  if (m.slowOutliers.count > 0) {
    const top = m.slowOutliers.top.map((o) => `${code(o.file)} ${formatDuration(o.wallMs)} (p50 ${formatDuration(o.roleP50)})`);
    const more = m.slowOutliers.count > top.length ? `, +${m.slowOutliers.count - top.length} more` : "";
    lines.push("", `Slow agents (over ${m.slowOutliers.factor}× their role's p50): ${top.join(", ")}${more}`);
  }
  if (m.tokenOutliers.count > 0) {
    const top = m.tokenOutliers.top.map((o) => `${code(o.file)} ${formatTokens(o.tokens)} (${o.ratio.toFixed(1)}×)`);
    const more = m.tokenOutliers.count > top.length ? `, +${m.tokenOutliers.count - top.length} more` : "";
    lines.push("", `Token outliers (over ${m.tokenOutliers.factor}× their role's median): ${top.join(", ")}${more}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Markdown primitives

function cell(text: string): string {
  return oneLine(text, 300).replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

function code(text: string): string {
  const clean = oneLine(text, 300);
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return longest === 0 ? `${fence}${clean}${fence}` : `${fence} ${clean} ${fence}`;
}

function table(header: string[], rows: string[][], rightAligned: number[] = []): string[] {
  const separator = header.map((_, i) => (rightAligned.includes(i) ? "---:" : "---"));
  return [header, separator, ...rows].map((row) => `| ${row.join(" | ")} |`);
}

function moreLine(shown: number, total: number, where = "report.json"): string[] {
  return total > shown ? ["", `…and ${total - shown} more (see ${where}).`] : [];
}

function headline(report: Report): string {
  const why = report.branchError ?? (report.counts.succeeded === 0 ? "no task succeeded" : "no file changed");
  const branch = report.branch ? `on branch ${code(report.branch)}` : `no branch written (${why})`;
  return [
    `**${describeCounts(report.counts)}**`,
    branch,
    `cost ${describeCost(report.costUSD, report.estimate?.total.costUSD ?? null)}`,
    formatDuration(report.durationMs),
    describeStoppedBy(report.stoppedBy, report.budget),
  ].join(" · ");
}

function roleTable(counts: TaskCounts): string[] {
  const rows = Object.entries(counts.byRole).map(([role, c]) => [
    role,
    String(c.total),
    String(c.succeeded),
    String(c.failed),
    String(c.notRun),
  ]);
  rows.push(["**total**", String(counts.total), String(counts.succeeded), String(counts.failed), String(counts.notRun)]);
  return table(["Role", "Tasks", "Succeeded", "Failed", "Not run"], rows, [1, 2, 3, 4]);
}

function errorCell(error: ErrorInfo | null): string {
  return error ? `${code(error.code)} ${cell(error.message)}` : "";
}

// ---------------------------------------------------------------------------------------------
// report.md

/** report.md: the whole run for a reviewer. Lists are capped; report.json has everything. */
export function renderReportMarkdown(report: Report): string {
  const lines: string[] = [`# swarm run ${report.runId}`, "", headline(report), ""];
  for (const line of report.instruction.split(/\r?\n/)) lines.push(`> ${line}`.trimEnd());
  lines.push(
    "",
    ...table(
      ["Run", ""],
      [
        ["Repository", code(report.repo)],
        ["Base commit", code(report.baseSha)],
        ["Started", report.startedAt],
        ["Duration", formatDuration(report.durationMs)],
        ["Models", report.models.map(code).join(", ") || "none"],
        ["Tokens", describeTokens(report.tokens)],
        ["Cost", describeCost(report.costUSD, report.estimate?.total.costUSD ?? null)],
      ],
    ),
    "",
    "## Tasks by role",
    "",
    ...roleTable(report.counts),
  );
  if (report.shards) lines.push("", "## Shards", "", ...shardLines(report.shards));

  lines.push("", "## Estimate vs actual", "");
  if (!report.estimateVsActual) {
    lines.push("No estimate was made for this run.");
  } else {
    const compare = (est: number | undefined, act: number | null, err: number | null, format: (n: number) => string) =>
      `${est === undefined ? "–" : format(est)} → ${act === null ? "?" : format(act)}` +
      (err === null ? "" : ` (${formatPercentValue(err, { signed: true })})`);
    lines.push(
      ...table(
        ["Role", "Input tokens", "Cached input", "Output tokens", "Cost"],
        report.estimateVsActual.map((row) => [
          row.role === "total" ? "**total**" : row.role,
          compare(row.estimated?.input, row.actual.input, row.errorPct.input, formatTokens),
          compare(row.estimated?.cachedInput, row.actual.cachedInput, row.errorPct.cachedInput, formatTokens),
          compare(row.estimated?.output, row.actual.output, row.errorPct.output, formatTokens),
          compare(row.estimated?.costUSD, row.actual.costUSD, row.errorPct.costUSD, formatUSD),
        ]),
      ),
      "",
      "Each cell: estimate → actual (error). Repair requests are not estimated." +
        (report.estimate?.calibratedFromRuns ? ` The estimate was calibrated from ${plural(report.estimate.calibratedFromRuns, "earlier run")}.` : " The estimate was not calibrated."),
      "",
      `Cache hits: ${describeCacheShare(report)}.`,
    );
  }

  if (report.codemod) lines.push("", "## Codemod", "", ...codemodMarkdown(report.codemod));
  lines.push("", "## Metrics", "", ...metricsMarkdown(report));
  lines.push(...failuresMarkdown(report));
  lines.push(...validationMarkdown(report));
  lines.push(...skipsMarkdown(report));

  lines.push("", "## Commits", "");
  if (report.commits.length === 0) lines.push("No commits.");
  else lines.push(...table(["Role", "Commit", "Files"], report.commits.map((c) => [c.role, code(c.sha), String(c.files.length)]), [2]));

  if (report.resumeHint) lines.push("", "## Resume", "", "```sh", report.resumeHint, "```");
  return lines.join("\n") + "\n";
}

function metricsMarkdown(report: Report): string[] {
  const m = report.metrics;
  const flag = m.completion.isBelowTarget ? ` — **below the ${formatPercent(m.completion.target)} target**` : "";
  const lines = [
    `- Completion: ${formatPercent(m.completion.rate, { digits: 1 })} (${m.completion.succeeded}/${m.completion.total})${flag}`,
    `- Request latency: ${describeDistribution(m.stepLatencyMs, formatDuration)} over ${m.stepLatencyMs.count} requests`,
    `- Retries: ${m.retries.total}${m.retries.total ? ` (${describeCauses(m.retries.byCause)})` : ""}; rate-limited (429) responses: ${m.rateLimited}`,
    `- Failed requests: ${m.failedSteps.total}${m.failedSteps.total ? ` (${describeCauses(m.failedSteps.byCause)})` : ""}`,
    ...(m.editAnswers.rate === null ? [] : [`- ${describeEditAnswers(m.editAnswers)}`]),
    "",
    ...table(
      ["Role", "Agents", "Wall p50", "Wall p95", "Wall max", "Tokens p50", "Tokens p95", "Tokens max"],
      Object.entries(m.wallMs.byRole).map(([role, wall]) => roleMetricsRow(role, wall, m.tokensPerAgent.byRole[role], ["p50", "p95", "max"])),
      [1, 2, 3, 4, 5, 6, 7],
    ),
  ];
  const { outliers } = m.tokensPerAgent;
  if (outliers.length > 0) {
    lines.push("", `**Token outliers** (more than ${m.thresholds.tokenOutlierFactor}× the role's median):`, "");
    for (const o of outliers.slice(0, MAX_ROWS)) {
      lines.push(`- ${code(o.file)} (${o.role}): ${formatTokens(o.tokens)} tokens, ${o.ratio.toFixed(1)}× the median ${formatTokens(o.roleMedian)}`);
    }
    lines.push(...moreLine(Math.min(MAX_ROWS, outliers.length), outliers.length));
  }
  const slow = m.wallMs.slowOutliers;
  if (slow.length > 0) {
    lines.push("", `**Slow agents** (over ${m.thresholds.slowOutlierFactor}× the role's p50 and above its p95; worth splitting):`, "");
    for (const o of slow.slice(0, MAX_ROWS)) {
      lines.push(`- ${code(o.file)} (${o.role}): ${formatDuration(o.wallMs)} (p50 ${formatDuration(o.roleP50)}, p95 ${formatDuration(o.roleP95)})`);
    }
    lines.push(...moreLine(Math.min(MAX_ROWS, slow.length), slow.length));
  }
  return lines;
}

function failuresMarkdown(report: Report): string[] {
  if (report.missing.length === 0) return [];
  const failed = report.missing.filter((m) => m.status === "failed");
  const notRun = report.missing.filter((m) => m.status === "not-run");
  const lines = ["", "## Not on the branch", "", `${report.missing.length} planned output(s) are not on the branch.`];
  if (failed.length > 0) {
    lines.push(
      "",
      "### Failed",
      "",
      ...table(
        ["Output", "Role", "Attempts", "Error"],
        failed.slice(0, MAX_ROWS).map((m) => [code(m.output), m.role, String(attemptsOf(report, m)), errorCell({ code: m.reason, message: m.message })]),
        [2],
      ),
      ...moreLine(Math.min(MAX_ROWS, failed.length), failed.length),
    );
  }
  if (notRun.length > 0) {
    lines.push("", "### Not run", "");
    for (const [reason, n] of countBy(notRun, (m) => m.reason)) lines.push(`- ${code(reason)}: ${n}`);
    lines.push("", ...notRun.slice(0, MAX_ROWS).map((m) => `- ${code(m.output)} (${m.role}): ${cell(m.message)}`));
    lines.push(...moreLine(Math.min(MAX_ROWS, notRun.length), notRun.length));
  }
  return lines;
}

function attemptsOf(report: Report, entry: MissingEntry): number {
  return report.tasks.find((t) => t.id === entry.taskId)?.attempts ?? 0;
}

function validationMarkdown(report: Report): string[] {
  const v = report.validation;
  if (!v) return ["", "## Validation", "", "Validation did not run."];
  const fixed = v.repairs.filter((r) => r.fixed).length;
  const lines = [
    "",
    "## Validation",
    "",
    `${v.problems.length} problem(s) introduced by the run · ${v.repairs.length} repair round(s), ${fixed} fixed · ${v.reverts.length} file(s) reverted`,
  ];
  if (v.problems.length > 0) {
    lines.push(
      "",
      ...table(
        // The pair: where the problem shows, and the file on the other side of the import.
        ["File", "Problem", "Message", "Imports from", "Caused by"],
        v.problems.slice(0, MAX_ROWS).map((p) => [
          code(p.line ? `${p.file}:${p.line}` : p.file),
          code(p.code),
          cell(p.message),
          p.target ? code(p.target) : "",
          p.blame ? code(p.blame) : "",
        ]),
      ),
      ...moreLine(Math.min(MAX_ROWS, v.problems.length), v.problems.length),
    );
  }
  if (v.repairs.length > 0) {
    lines.push("", "Repairs:", "");
    for (const r of v.repairs) {
      lines.push(`- ${code(r.file)} round ${r.round}: ${r.fixed ? "fixed" : "still broken"} (${r.problems.length} problem(s))`);
    }
  }
  if (v.reverts.length > 0) {
    lines.push("", "Reverted (kept as at the base commit):", "");
    for (const r of v.reverts) {
      const first = r.problems[0];
      const why = first ? `: ${code(first.code)} ${cell(first.message)}` : r.reason ? `: ${cell(r.reason)}` : "";
      lines.push(`- ${code(r.file)} (${code(r.taskId)})${why}`);
    }
  }
  if (v.remaining && v.remaining.length > 0) {
    lines.push("", "Still on the branch (no revert of the run's files removes them):", "");
    for (const p of v.remaining.slice(0, MAX_ROWS)) {
      lines.push(`- ${code(p.line ? `${p.file}:${p.line}` : p.file)} ${code(p.code)} ${cell(p.message)}`);
    }
    lines.push(...moreLine(Math.min(MAX_ROWS, v.remaining.length), v.remaining.length));
  }
  return lines;
}

function skipsMarkdown(report: Report): string[] {
  if (report.skips.length === 0) return [];
  const lines = ["", "## Skipped files", "", countBy(report.skips, (s) => s.reason).map(([r, n]) => `${code(r)} ${n}`).join(" · "), ""];
  lines.push(
    ...table(["Path", "Reason", "Detail"], report.skips.slice(0, MAX_ROWS).map((s) => [code(s.path), s.reason, cell(s.detail)])),
    ...moreLine(Math.min(MAX_ROWS, report.skips.length), report.skips.length),
  );
  return lines;
}

// ---------------------------------------------------------------------------------------------
// GitHub step summary

/**
 * What the step summary needs. A Report gives all of it; the GitHub reporter, which only sees
 * events, assembles the same facts from the RunSummary and the events it collected.
 */
export interface StepSummaryFacts {
  runId: string;
  branch: string | null;
  counts: TaskCounts;
  tokens: TokenTotals;
  costUSD: number;
  estimatedCostUSD: number | null;
  durationMs: number;
  stoppedBy: StoppedBy;
  budget: "steps" | "cost" | null;
  failed: { taskId: string; role: string; output: string; error: ErrorInfo }[];
  /** Count of not-run tasks per reason; empty when the reasons are unknown (use counts.notRun). */
  notRunByReason: [string, number][];
  validation: { problems: number; repaired: number; reverted: number } | null;
  commits: ReportCommit[];
  reportMd: string | null;
  resumeHint: string | null;
  /** Swarm metrics in brief; absent when the run summary carried none. */
  metrics?: SummaryMetrics | null;
}

function stepSummaryFacts(report: Report, reportMd: string | null = null): StepSummaryFacts {
  const failed = report.missing.filter((m) => m.status === "failed");
  const notRun = report.missing.filter((m) => m.status === "not-run");
  return {
    runId: report.runId,
    branch: report.branch,
    counts: report.counts,
    tokens: report.tokens,
    costUSD: report.costUSD,
    estimatedCostUSD: report.estimate?.total.costUSD ?? null,
    durationMs: report.durationMs,
    stoppedBy: report.stoppedBy,
    budget: report.budget,
    failed: failed.map((m) => ({ taskId: m.taskId, role: m.role, output: m.output, error: { code: m.reason, message: m.message } })),
    notRunByReason: countBy(notRun, (m) => m.reason),
    validation: report.validation
      ? {
          problems: report.validation.problems.length,
          repaired: report.validation.repairs.filter((r) => r.fixed).length,
          reverted: report.validation.reverts.length,
        }
      : null,
    commits: report.commits,
    reportMd,
    resumeHint: report.resumeHint,
    metrics: summarizeMetrics(report.metrics),
  };
}

/** The GITHUB_STEP_SUMMARY Markdown: headline, roles, what failed, how to resume. */
export function renderStepSummary(report: Report): string {
  return renderStepSummaryFacts(stepSummaryFacts(report));
}

export function renderStepSummaryFacts(f: StepSummaryFacts): string {
  const lines = [
    `### swarm run ${f.runId}`,
    "",
    [
      `**${describeCounts(f.counts)}**`,
      f.branch ? `branch ${code(f.branch)}` : "no branch written",
      `cost ${describeCost(f.costUSD, f.estimatedCostUSD)}`,
      formatDuration(f.durationMs),
      describeStoppedBy(f.stoppedBy, f.budget),
    ].join(" · "),
    "",
    ...roleTable(f.counts),
    "",
    `Tokens: ${describeTokens(f.tokens)}`,
  ];
  if (f.validation) {
    lines.push(`Validation: ${f.validation.problems} problem(s), ${f.validation.repaired} repaired, ${f.validation.reverted} reverted`);
  }
  if (f.commits.length > 0) {
    lines.push(`Commits: ${f.commits.map((c) => `${c.role} ${code(c.sha.slice(0, 7))} (${plural(c.files.length, "file")})`).join(", ")}`);
  }
  if (f.failed.length > 0) {
    lines.push(
      "",
      "#### Failed",
      "",
      ...table(
        ["Output", "Role", "Error"],
        f.failed.slice(0, MAX_SUMMARY_FAILURES).map((x) => [code(x.output), x.role, errorCell(x.error)]),
      ),
      ...moreLine(Math.min(MAX_SUMMARY_FAILURES, f.failed.length), f.failed.length, f.reportMd ?? "report.md"),
    );
  }
  if (f.metrics) lines.push(...stepSummaryMetrics(f.metrics));
  if (f.counts.notRun > 0) {
    const reasons = f.notRunByReason.map(([reason, n]) => `${code(reason)} ${n}`).join(" · ");
    lines.push("", `Not run: ${f.counts.notRun}${reasons ? ` (${reasons})` : ""}`);
  }
  if (f.resumeHint) lines.push("", `Resume with ${code(f.resumeHint)}`);
  if (f.reportMd) lines.push("", `Full report: ${code(f.reportMd)}`);
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Terminal (swarm report)

const ANSI = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;
type Style = keyof typeof ANSI;

/** Plain text for `swarm report`; ANSI colour only when asked (the CLI decides from NO_COLOR/TTY). */
export function renderTerminalReport(report: Report, options: { color: boolean }): string {
  const paint = (style: Style, text: string) =>
    options.color ? `\x1b[${ANSI[style][0]}m${text}\x1b[${ANSI[style][1]}m` : text;
  const c = report.counts;
  const countsText = [
    paint(c.succeeded === c.total ? "green" : "bold", `${c.succeeded}/${c.total} tasks succeeded`),
    ...(c.failed > 0 ? [paint("red", `${c.failed} failed`)] : []),
    ...(c.notRun > 0 ? [paint("yellow", `${c.notRun} not run`)] : []),
  ].join(", ");

  const lines = [
    `${paint("bold", `swarm run ${report.runId}`)}  ${describeStoppedBy(report.stoppedBy, report.budget)}`,
    countsText,
    `branch:   ${report.branch ?? "none"}`,
    `base:     ${report.baseSha}`,
    `started:  ${report.startedAt}  (${formatDuration(report.durationMs)})`,
    `models:   ${report.models.join(", ") || "none"}`,
    `tokens:   ${describeTokens(report.tokens)}`,
    `cost:     ${describeCost(report.costUSD, report.estimate?.total.costUSD ?? null)}`,
    "",
    ...alignColumns(
      [
        ["role", "tasks", "ok", "failed", "not run"],
        ...Object.entries(c.byRole).map(([role, r]) => [role, String(r.total), String(r.succeeded), String(r.failed), String(r.notRun)]),
      ],
      ["left", "right", "right", "right", "right"],
    ),
  ];

  if (report.estimateVsActual) {
    const err = (n: number | null) => (n === null ? "" : ` (${formatPercentValue(n, { signed: true })})`);
    lines.push(
      "",
      paint("bold", "estimate vs actual"),
      ...alignColumns(
        [
          ["role", "input", "cached", "output", "cost"],
          ...report.estimateVsActual.map((row) => [
            row.role,
            `${row.estimated ? formatTokens(row.estimated.input) : "-"} -> ${formatTokens(row.actual.input)}${err(row.errorPct.input)}`,
            `${row.estimated ? formatTokens(row.estimated.cachedInput) : "-"} -> ${formatTokens(row.actual.cachedInput)}${err(row.errorPct.cachedInput)}`,
            `${row.estimated ? formatTokens(row.estimated.output) : "-"} -> ${formatTokens(row.actual.output)}${err(row.errorPct.output)}`,
            `${row.estimated ? formatUSD(row.estimated.costUSD) : "-"} -> ${row.actual.costUSD === null ? "?" : formatUSD(row.actual.costUSD)}${err(row.errorPct.costUSD)}`,
          ]),
        ],
        ["left", "right", "right", "right", "right"],
      ),
      `cache hits: ${describeCacheShare(report)}`,
    );
  }

  const m = report.metrics;
  lines.push(
    "",
    paint("bold", "metrics"),
    `completion:  ${formatPercent(m.completion.rate, { digits: 1 })}${m.completion.isBelowTarget ? paint("yellow", ` (below ${formatPercent(m.completion.target)})`) : ""}`,
    `latency:     ${describeDistribution(m.stepLatencyMs, formatDuration)} (${m.stepLatencyMs.count} requests)`,
    `retries:     ${m.retries.total}${m.retries.total ? ` (${describeCauses(m.retries.byCause)})` : ""}, 429s: ${m.rateLimited}`,
  );
  for (const [role, wall] of Object.entries(m.wallMs.byRole)) {
    lines.push(`wall ${role}: ${describeDistribution(wall, formatDuration)}`);
  }
  for (const [role, tokens] of Object.entries(m.tokensPerAgent.byRole)) {
    lines.push(`tokens per agent ${role}: ${describeDistribution(tokens, formatTokens)}`);
  }
  for (const o of m.wallMs.slowOutliers.slice(0, 10)) {
    lines.push(paint("yellow", `slow: ${o.file} (${o.role}) ${formatDuration(o.wallMs)}, role p50 ${formatDuration(o.roleP50)}; worth splitting`));
  }
  for (const o of m.tokensPerAgent.outliers.slice(0, 10)) {
    lines.push(paint("yellow", `tokens: ${o.file} (${o.role}) ${formatTokens(o.tokens)}, ${o.ratio.toFixed(1)}x the role median`));
  }

  if (report.validation) {
    const v = report.validation;
    lines.push(
      "",
      paint("bold", "validation"),
      `${v.problems.length} problem(s), ${v.repairs.filter((r) => r.fixed).length} repaired, ${v.reverts.length} reverted`,
      ...v.reverts.map((r) => paint("yellow", `reverted ${r.file} (${r.taskId})`)),
    );
  }

  const failed = report.missing.filter((x) => x.status === "failed");
  if (failed.length > 0) {
    lines.push("", paint("bold", "failed"));
    for (const x of failed.slice(0, MAX_SUMMARY_FAILURES)) {
      lines.push(`${paint("red", "FAIL")} ${x.role} ${x.output}: ${x.reason} - ${oneLine(x.message, 200)}`);
    }
    if (failed.length > MAX_SUMMARY_FAILURES) lines.push(`...and ${failed.length - MAX_SUMMARY_FAILURES} more (see report.md)`);
  }
  const notRun = report.missing.filter((x) => x.status === "not-run");
  if (notRun.length > 0) {
    lines.push("", `not run: ${countBy(notRun, (x) => x.reason).map(([r, n]) => `${r} ${n}`).join(", ")}`);
  }
  if (report.skips.length > 0) {
    lines.push(`skipped files: ${countBy(report.skips, (s) => s.reason).map(([r, n]) => `${r} ${n}`).join(", ")}`);
  }
  if (report.commits.length > 0) {
    lines.push("", paint("bold", "commits"), ...report.commits.map((c) => `${c.sha.slice(0, 7)} ${c.role} (${plural(c.files.length, "file")})`));
  }
  if (report.resumeHint) lines.push("", `resume: ${report.resumeHint}`);
  return lines.join("\n") + "\n";
}

/** What the codemod finished, what it handed off (with why) and where it threw (with the first stack frame). */
function codemodMarkdown(c: NonNullable<Report["codemod"]>): string[] {
  const lines = [
    `${code(c.spec)}: ${plural(c.done, "file")} done by the codemod (${c.changed} changed, no request sent), ${c.handedOff.length} handed off, ${c.failed.length} failed; the ${plural(c.toModel, "file")} handed off or failed went to the model.`,
  ];
  if (c.handedOff.length > 0) lines.push("", ...table(["Handed off", "Reason"], c.handedOff.map((h) => [code(h.file), cell(h.reason)])));
  if (c.failed.length > 0) lines.push("", ...table(["Failed", "Error", "First frame"], c.failed.map((f) => [code(f.file), cell(f.reason), f.frame ? code(f.frame) : ""])));
  if (c.extra.length > 0) lines.push("", `Also changed: ${c.extra.map((e) => `${code(e.path)}${e.change === "deleted" ? " (deleted)" : ""}`).join(", ")}.`);
  for (const p of c.problems) lines.push("", `- ${cell(p)}`);
  return lines;
}

/** One role's row of the metrics tables: agents, wall p50/p95/max, then the token figures asked for. */
function roleMetricsRow(
  role: string,
  wall: { count: number; p50: number; p95: number; max: number },
  tokens: Partial<Record<"p50" | "p95" | "max", number>> | undefined,
  tokenStats: readonly ("p50" | "p95" | "max")[],
): string[] {
  const wallCells = [formatDuration(wall.p50), formatDuration(wall.p95), formatDuration(wall.max)];
  const tokenCells = tokenStats.map((stat) => (tokens?.[stat] === undefined ? "–" : formatTokens(tokens[stat]!)));
  return [role, String(wall.count), ...wallCells, ...tokenCells];
}

/** A merge's per-shard figures, and the shards it merged without. */
function shardLines(shards: NonNullable<Report["shards"]>): string[] {
  const rows = shards.merged.map((s) => [`${s.index}/${s.count}`, code(s.runId), `${s.succeeded}/${s.tasks}`, formatUSD(s.costUSD), formatDuration(s.durationMs), s.stoppedBy]);
  const missing = shards.missing.length > 0 ? ["", `**Missing shards:** ${shards.missing.join(", ")} — their tasks are not on the branch.`] : [];
  return [...table(["Shard", "Run", "Succeeded", "Cost", "Duration", "Stopped by"], rows), ...missing];
}
