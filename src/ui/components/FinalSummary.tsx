import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { RunSummary } from "../../events/types.js";
import { formatDuration, formatPercent, formatTokens, formatUSD, oneLine, padEnd } from "../../util/format.js";
import { formatCounts } from "./Failures.js";

export interface FinalSummaryProps {
  summary: RunSummary;
  retries: { total: number; byCause: Readonly<Record<string, number | undefined>> };
  rateLimited: number;
  rows: number;
}

const LABEL_WIDTH = 9;
const MAX_FAILED_ROWS = 10;
const MIN_FAILED_ROWS = 3;

/** What stays on screen after the run: outcome, branch, report, cost vs estimate, what failed. */
export function FinalSummary({ summary, retries, rateLimited, rows }: FinalSummaryProps) {
  const { counts } = summary;
  const headline = headlineOf(summary);
  const roleLine = Object.entries(counts.byRole)
    .map(([role, c]) => `${role} ${c.succeeded}/${c.total}`)
    .join(" · ");
  const fixedLines = 5 + (retries.total > 0 ? 1 : 0) + (summary.resumeHint ? 1 : 0) + (counts.failed > 0 ? 1 : 0);
  // Causes first: a failed refactor's test and doc tasks only repeat its reason.
  const failed = [...summary.failed].sort(
    (a, b) => Number(a.error.code === "dependency-failed") - Number(b.error.code === "dependency-failed"),
  );
  const room = Math.max(MIN_FAILED_ROWS, Math.min(MAX_FAILED_ROWS, rows - 1 - fixedLines - 1));
  const shownFailed = failed.length > room ? failed.slice(0, room - 1) : failed;
  const hiddenFailed = failed.length - shownFailed.length;
  const byCode: Record<string, number> = {};
  for (const f of summary.failed) byCode[f.error.code] = (byCode[f.error.code] ?? 0) + 1;

  return (
    <Box flexDirection="column">
      <Text bold color={headline.color} wrap="truncate-end">
        {headline.text}
      </Text>
      <Field label="Roles">{roleLine} succeeded</Field>
      <Field label="Branch">{summary.branch ?? "none (nothing was committed)"}</Field>
      <Field label="Report">{summary.reportMd}</Field>
      <Field label="Cost">{costLine(summary)}</Field>
      {retries.total > 0 ? (
        <Field label="Retries">
          {retries.total} ({formatCounts(retries.byCause)}){rateLimited > 0 ? ` · 429 ×${rateLimited}` : ""}
        </Field>
      ) : null}
      {counts.failed > 0 ? (
        <Field label="Failed">
          {counts.failed}
          {Object.keys(byCode).length > 0 ? ` (${formatCounts(byCode)})` : ""}
        </Field>
      ) : null}
      {shownFailed.map((f) => (
        <Text key={f.taskId} wrap="truncate-end">
          {"    "}
          <Text color="red">✖</Text> {roleOf(f.taskId)} {f.file} — {f.error.code}: {oneLine(f.error.message)}
        </Text>
      ))}
      {hiddenFailed > 0 ? (
        <Text dimColor wrap="truncate-end">
          {"    "}+{hiddenFailed} more in {summary.reportMd}
        </Text>
      ) : null}
      {summary.resumeHint ? <Field label="Resume">{summary.resumeHint}</Field> : null}
    </Box>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text wrap="truncate-end">
      {"  "}
      <Text dimColor>{padEnd(label, LABEL_WIDTH)}</Text>
      {children}
    </Text>
  );
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

// TaskId is `${role}:${file}` (core/types.ts); the summary's failure entries carry no role of their own.
function roleOf(taskId: string): string {
  return taskId.slice(0, Math.max(0, taskId.indexOf(":")));
}
