import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { RunSummary, SummaryMetrics } from "../../events/index.js";
import { describeSpreadByRole } from "../../report/index.js";
import { formatDuration, formatPercent, formatTokens, formatUSD } from "../../util/index.js";
import { failureLines, formatCounts } from "./Failures.js";
import { reviewHandOff } from "../../report/index.js";

export interface FinalSummaryProps {
  summary: RunSummary;
  retries: { total: number; byCause: Readonly<Record<string, number | undefined>> };
  rateLimited: number;
  rows: number;
  columns: number;
}

const INDENT = 2;
const LABEL_WIDTH = 9;
const MAX_FAILED_ROWS = 10;
const MIN_FAILED_ROWS = 3;
/** Per-agent figures that give way to the review hand-off when both do not fit. */
const SPREAD_LABELS = new Set(["Wall", "Tokens", "Outliers"]);
/** `    ✖ ` before a failure's first row, as many spaces before the rest. */
const FAILED_INDENT = 6;

interface FieldLine {
  label: string;
  text: string;
  color?: "yellow";
  /**
   * A path or command the user copies: when it does not fit beside the label but fits the terminal,
   * it gets a line of its own rather than a break in the middle.
   */
  isCopied?: boolean;
}

/**
 * What stays on screen after the run: outcome, branch, report, cost vs estimate, swarm metrics,
 * what failed. Kept below the terminal height (ink clears the screen for a taller frame), so the
 * failure list shrinks to the rows left; branch and report path are never cut.
 */
export function FinalSummary({ summary, retries, rateLimited, rows, columns }: FinalSummaryProps) {
  const { counts } = summary;
  const headline = headlineOf(summary);
  const fields = fieldsOf(summary, retries, rateLimited);
  // The review hand-off (issue 17): what changed, the diff and the pull request, when the rows allow
  // (report.md and the plain output carry them too); never at the cost of the branch or report path.
  const [log, diff, pr] = reviewHandOff(summary);
  const review: FieldLine[] = log && diff && pr ? [{ label: "Review", text: log, isCopied: true }, { label: "Diff", text: diff, isCopied: true }, { label: "PR", text: pr, isCopied: true }] : [];
  // Every field wraps under its own column rather than losing its end: paths and the resume
  // command get copied from here, and the figures at the end of a line matter as much as the first.
  const textColumns = Math.max(1, columns - INDENT - LABEL_WIDTH);
  const isOwnLine = (f: FieldLine) => f.isCopied === true && [...f.text].length > textColumns && [...f.text].length <= columns;
  const rowsOf = (f: FieldLine) => (isOwnLine(f) ? 2 : wrappedRows([...f.text].length, textColumns));
  const headlineRows = wrappedRows([...headline.text].length, columns);
  const reviewRows = review.reduce((n, f) => n + rowsOf(f), 0);
  const failedWanted = Math.min(summary.failed.length, MIN_FAILED_ROWS);
  const fitsReview = (shown: readonly FieldLine[]) => headlineRows + shown.reduce((n, f) => n + rowsOf(f), 0) + reviewRows + failedWanted <= rows - 1;
  // At 80×24 after failures the agents' spread figures would push the hand-off out: they give way (the plain
  // output and report.md keep them), the hand-off is what the user does next.
  if (review.length > 0 && !fitsReview(fields)) {
    const kept = fields.filter((f) => !SPREAD_LABELS.has(f.label));
    if (fitsReview(kept)) fields.splice(0, fields.length, ...kept);
  }
  if (review.length > 0 && fitsReview(fields)) fields.push(...review);
  const fieldRows = fields.reduce((n, f) => n + rowsOf(f), 0);
  // Causes first: a failed refactor's test and doc tasks only repeat its reason.
  const failed = [...summary.failed].sort(
    (a, b) => Number(a.error.code === "dependency-failed") - Number(b.error.code === "dependency-failed"),
  );
  // One row spare for the cursor below the frame.
  const room = Math.max(MIN_FAILED_ROWS, Math.min(MAX_FAILED_ROWS, rows - 1 - headlineRows - fieldRows));
  // Reasons wrap whole (issue 17): each failure takes its rows, with one kept for "+N more" while any is left out.
  const failedLines = failed.map((f) => failureLines({ role: roleOf(f.taskId), file: f.file, code: f.error.code, message: f.error.message }, columns, FAILED_INDENT));
  const shownFailed: { taskId: string; lines: string[] }[] = [];
  let usedRows = 0;
  for (const [i, lines] of failedLines.entries()) {
    const isLast = i === failed.length - 1;
    if (usedRows + lines.length + (isLast ? 0 : 1) > room) break;
    shownFailed.push({ taskId: failed[i]!.taskId, lines });
    usedRows += lines.length;
  }
  const hiddenFailed = failed.length - shownFailed.length;

  return (
    <Box flexDirection="column">
      <Text bold color={headline.color}>
        {headline.text}
      </Text>
      {fields.map((f) =>
        isOwnLine(f) ? (
          <Box key={f.label} flexDirection="column">
            <Text dimColor>{" ".repeat(INDENT) + f.label}</Text>
            <Text>{f.text}</Text>
          </Box>
        ) : (
          <Field key={f.label} label={f.label} color={f.color}>
            {f.text}
          </Field>
        ),
      )}
      {counts.failed > 0
        ? shownFailed.flatMap((f) =>
            f.lines.map((line, i) => (
              <Text key={`${f.taskId}#${i}`} wrap="truncate-end">
                {i === 0 ? (
                  <>
                    {"    "}
                    <Text color="red">✖</Text> {line}
                  </>
                ) : (
                  " ".repeat(FAILED_INDENT) + line
                )}
              </Text>
            )),
          )
        : null}
      {hiddenFailed > 0 ? (
        <Text dimColor wrap="truncate-end">
          {"    "}+{hiddenFailed} more in the report
        </Text>
      ) : null}
    </Box>
  );
}

function fieldsOf(summary: RunSummary, retries: FinalSummaryProps["retries"], rateLimited: number): FieldLine[] {
  const { counts, metrics } = summary;
  const fields: FieldLine[] = [
    { label: "Branch", text: summary.branch ?? "none (nothing was committed)", isCopied: summary.branch !== null },
    { label: "Report", text: summary.reportMd, isCopied: true },
    { label: "Roles", text: rolesText(summary, metrics), ...(metrics?.completion.isBelowTarget ? { color: "yellow" as const } : {}) },
    { label: "Cost", text: costLine(summary) },
  ];
  // The summary's figures are the run's (they include any earlier process of a resumed run).
  const retryTotal = metrics?.retries.total ?? retries.total;
  const retryCauses = metrics?.retries.byCause ?? retries.byCause;
  const limited = metrics?.rateLimited ?? rateLimited;
  if (retryTotal > 0) {
    fields.push({ label: "Retries", text: `${retryTotal} (${formatCounts(retryCauses)})${limited > 0 ? ` · 429 ×${limited}` : ""}` });
  }
  if (metrics) {
    const wall = describeSpreadByRole(metrics.wallMsByRole, formatDuration, " · ");
    if (wall) fields.push({ label: "Wall", text: `${wall} (p50/p95/max)` });
    const tokens = describeSpreadByRole(metrics.tokensPerAgentByRole, formatTokens, " · ");
    if (tokens) fields.push({ label: "Tokens", text: `${tokens} (p50/p95/max)` });
    const outliers = outliersText(metrics);
    if (outliers) fields.push({ label: "Outliers", text: outliers, color: "yellow" });
  }
  if (counts.failed > 0) {
    const byCode: Record<string, number> = {};
    for (const f of summary.failed) byCode[f.error.code] = (byCode[f.error.code] ?? 0) + 1;
    fields.push({ label: "Failed", text: `${counts.failed}${Object.keys(byCode).length > 0 ? ` (${formatCounts(byCode)})` : ""}` });
  }
  if (summary.resumeHint) fields.push({ label: "Resume", text: summary.resumeHint, isCopied: true });
  return fields;
}

function Field({ label, color, children }: { label: string; color?: "yellow"; children: ReactNode }) {
  return (
    <Box>
      <Box width={INDENT + LABEL_WIDTH} flexShrink={0}>
        <Text dimColor>{" ".repeat(INDENT) + label}</Text>
      </Box>
      <Box flexGrow={1} flexShrink={1}>
        <Text color={color} wrap="wrap">
          {children}
        </Text>
      </Box>
    </Box>
  );
}

/** `refactor 300/300 · test 299/300 · doc 300/300 succeeded (99.9%, below the 95% target)`. */
function rolesText(summary: RunSummary, metrics: SummaryMetrics | undefined): string {
  const roles = Object.entries(summary.counts.byRole)
    .map(([role, c]) => `${role} ${c.succeeded}/${c.total}`)
    .join(" · ");
  if (!metrics || metrics.completion.rate === null) return `${roles} succeeded`;
  const flag = metrics.completion.isBelowTarget ? `, below the ${formatPercent(metrics.completion.target)} target` : "";
  return `${roles} succeeded (${formatPercent(metrics.completion.rate, { digits: 1 })}${flag})`;
}

/** `2 slow (src/a.ts 12 s, p50 1.2 s) · 1 token-heavy (src/b.ts 4.1× median)`; the worst one of each kind. */
function outliersText(m: SummaryMetrics): string | null {
  const parts: string[] = [];
  const slow = m.slowOutliers.top[0];
  if (slow) parts.push(`${m.slowOutliers.count} slow (${slow.file} ${formatDuration(slow.wallMs)}, role p50 ${formatDuration(slow.roleP50)})`);
  const heavy = m.tokenOutliers.top[0];
  if (heavy) parts.push(`${m.tokenOutliers.count} token-heavy (${heavy.file} ${heavy.ratio.toFixed(1)}× role median)`);
  return parts.length > 0 ? parts.join(" · ") : null;
}

function costLine(s: RunSummary): string {
  const tokens = `tokens ${formatTokens(s.tokens.inputTokens)} in (${formatTokens(s.tokens.cachedInputTokens)} cached) · ${formatTokens(s.tokens.outputTokens)} out`;
  if (s.estimatedCostUSD === null || s.estimatedCostUSD <= 0) return `${formatUSD(s.costUSD)} (no estimate) · ${tokens}`;
  const delta = formatPercent((s.costUSD - s.estimatedCostUSD) / s.estimatedCostUSD, { signed: true });
  return `${formatUSD(s.costUSD)} vs ${formatUSD(s.estimatedCostUSD)} estimated (${delta}) · ${tokens}`;
}

function headlineOf(s: RunSummary): { text: string; color: "green" | "yellow" | "red" } {
  const c = s.counts;
  const tally = [
    `${c.succeeded}/${c.total} succeeded`,
    ...(c.failed > 0 ? [`${c.failed} failed`] : []),
    ...(c.notRun > 0 ? [`${c.notRun} not run`] : []),
  ].join(", ");
  const took = `in ${formatDuration(s.durationMs)}`;
  switch (s.stoppedBy) {
    case "completed":
      return c.failed === 0 && c.notRun === 0
        ? { text: `✔ Run ${s.runId} finished ${took}: ${tally}`, color: "green" }
        : { text: `⚠ Run ${s.runId} finished with failures ${took}: ${tally}`, color: "yellow" };
    case "budget":
      return { text: `■ Run ${s.runId} stopped: the ${s.budget ?? ""} budget ran out ${took}: ${tally}`.replace("  ", " "), color: "yellow" };
    case "interrupt":
      return { text: `■ Run ${s.runId} interrupted ${took}: ${tally}`, color: "yellow" };
    case "abort":
      return { text: `✖ Run ${s.runId} aborted ${took}: ${tally}`, color: "red" };
    case "auth":
      return { text: `✖ Run ${s.runId} stopped: the endpoint rejected the API key ${took}: ${tally}`, color: "red" };
  }
}

/**
 * Terminal rows a line of `width` characters takes once wrapped at `columns`. Word wrapping breaks
 * early at spaces, so a wrapped line may take one row more than the characters alone need.
 */
function wrappedRows(width: number, columns: number): number {
  return width <= columns ? 1 : Math.ceil(width / columns) + 1;
}

// TaskId is `${role}:${file}` (core/types.ts); the summary's failure entries carry no role of their own.
function roleOf(taskId: string): string {
  return taskId.slice(0, Math.max(0, taskId.indexOf(":")));
}
