import { Box, Text } from "ink";
import { formatDuration, formatPercent, formatTokens, formatUSD, plural } from "../util/index.js";
import { EventLog } from "./components/EventLog.js";
import { Failures, failureRows, formatCounts } from "./components/Failures.js";
import { FinalSummary } from "./components/FinalSummary.js";
import { InFlightAgents } from "./components/InFlightAgents.js";
import { ProgressBar } from "./components/ProgressBar.js";
import { packParts } from "./fit-text.js";
import { RoleCounts } from "./components/RoleCounts.js";
import { describePhase } from "../report/index.js";
import { etaMs, settledTasks, slowestInFlight, totalTasks, type DashboardState } from "./state.js";

export type DashboardProps = DashboardState & {
  /** Event time (ms since run start) to measure elapsed times against. */
  now: number;
  /** Terminal height: the live panel stays below it, so ink never falls back to clearing the screen. */
  rows: number;
  columns: number;
};

/** Failures listed in the live panel at most; the rest are in the log above and in the report. */
const MAX_FAILURE_ROWS = 5;

/**
 * The whole screen: notices printed once above (<Static>), then either the live panel or, once the
 * run has finished, the summary that stays on screen.
 */
export function Dashboard(props: DashboardProps) {
  // EventLog stays the first child in both branches: remounting <Static> would print the log again.
  return (
    <>
      <EventLog entries={props.log} />
      <Box flexDirection="column" width={props.columns}>
        {props.phase === "finished" && props.summary ? (
          <FinalSummary
            summary={props.summary}
            retries={props.retries}
            rateLimited={props.rateLimited}
            rows={props.rows}
            columns={props.columns}
          />
        ) : (
          <LivePanel {...props} />
        )}
      </Box>
    </>
  );
}

function LivePanel(props: DashboardProps) {
  const { run, now, rows, columns } = props;
  if (!run) {
    const p = props.runPhase;
    if (!p) return <Text dimColor>swarm: starting…</Text>;
    // The clock runs from the phase's own figure, so it moves on every tick while the scan and estimate go on.
    return <Text wrap="truncate-end">swarm: {describePhase(p.phase, p.count)}… {formatDuration(p.elapsedMs + Math.max(0, now - p.t))}</Text>;
  }
  const roles = run.roles.length > 0 ? run.roles : [...props.byRole.keys()];
  const stoppingLine = stoppingText(props);
  const phaseLine = phaseText(props);
  const budgetLine = props.budget.exhausted || props.stopping ? null : budgetText(props);
  const limitLine = limitText(props, columns);
  const showsAgents = props.phase === "executing" || props.phase === "validating";

  // Rows are fitted to the width here (packed, wrapped or cut by us), so the frame height is exact.
  const header = packParts(headerParts(props), columns);
  const cost = packParts(costParts(props), columns);
  const fixedLines =
    header.length +
    1 + // progress
    roles.length +
    cost.length +
    1 + // retries and limit
    (limitLine ? Math.ceil([...limitLine].length / Math.max(1, columns)) : 0) +
    (phaseLine ? 1 : 0) +
    (budgetLine ? 1 : 0) +
    (stoppingLine ? 1 : 0);
  // Reasons wrap, so each failure's rows are counted: the latest that fit are listed.
  const latest = props.failures.slice(-MAX_FAILURE_ROWS);
  const fit = fitLiveRows({ rows, fixedLines, inFlight: showsAgents ? props.inFlight.size : 0, failures: latest.map((f) => failureRows(f, columns)) });
  const agents = slowestInFlight(props, fit.inFlightRows);
  const failures = latest.slice(latest.length - fit.failureRows);

  return (
    <>
      {header.map((line, i) => (
        <Text key={`h${i}`} wrap="truncate-end">
          {i === 0 && line.startsWith(runLabel(props)) ? (
            <>
              <Text bold>{runLabel(props)}</Text>
              {line.slice(runLabel(props).length)}
            </>
          ) : (
            line
          )}
        </Text>
      ))}
      <ProgressBar
        settled={settledTasks(props)}
        total={totalTasks(props)}
        running={props.inFlight.size}
        elapsedMs={now - run.startedAt}
        etaMs={etaMs(props, now)}
        columns={columns}
      />
      <RoleCounts roles={roles} byRole={props.byRole} />
      {cost.map((line, i) => (
        <Text key={`c${i}`} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {/* The short figures first: on a narrow terminal the cause list is what gets cut. */}
      <Text wrap="truncate-end">
        Concurrency{" "}
        <Text color={props.limit.current < props.limit.max ? "yellow" : undefined}>
          {props.limit.current}/{props.limit.max}
        </Text>{" "}
        · <Text color={props.rateLimited > 0 ? "yellow" : undefined}>429 ×{props.rateLimited}</Text> · retries {props.retries.total}
        {props.retries.total > 0 ? ` (${formatCounts(props.retries.byCause)})` : ""}
      </Text>
      {limitLine ? (
        <Text color="yellow" wrap="wrap">
          {limitLine}
        </Text>
      ) : null}
      {phaseLine ? <Text wrap="truncate-end">{phaseLine}</Text> : null}
      {budgetLine ? (
        <Text color="yellow" wrap="truncate-end">
          {budgetLine}
        </Text>
      ) : null}
      {stoppingLine ? (
        <Text color="yellow" bold wrap="truncate-end">
          {stoppingLine}
        </Text>
      ) : null}
      {fit.showsInFlight ? (
        <Box marginTop={1}>
          <InFlightAgents agents={agents} total={props.inFlight.size} showsMore={fit.showsMore} now={now} columns={columns} />
        </Box>
      ) : null}
      {fit.failureRows > 0 ? (
        <Box marginTop={1}>
          <Failures failures={failures} total={props.counts.failed} byCode={props.failuresByCode} columns={columns} />
        </Box>
      ) : null}
    </>
  );
}

export interface LiveRows {
  showsInFlight: boolean;
  /** Agent rows, not counting the header or the "+N more" line. */
  inFlightRows: number;
  showsMore: boolean;
  /** Failures listed (the latest ones). */
  failureRows: number;
  /** Terminal rows those failures take once their reasons wrap. */
  failureLines: number;
}

/**
 * Shares the rows left under the fixed lines between in-flight agents and failures, keeping the
 * frame below the terminal height: a taller frame makes ink clear the whole screen on every redraw.
 * Each section costs a blank line and a header (the agents' header carries their count, so it
 * comes first); failures get at most a third of what is left, agents the rest. `failures` is a count
 * of one-row failures, or the rows each takes (oldest first): the latest that fit are listed, and the
 * newest is listed whole whenever it fits at all.
 */
export function fitLiveRows(o: { rows: number; fixedLines: number; inFlight: number; failures: number | readonly number[] }): LiveRows {
  // One row spare: the cursor sits on the line after the frame.
  let free = o.rows - 1 - o.fixedLines;
  const showsInFlight = o.inFlight > 0 && free >= 2;
  if (showsInFlight) free -= 2;
  const heights = (typeof o.failures === "number" ? Array.from({ length: o.failures }, () => 1) : [...o.failures]).slice(-MAX_FAILURE_ROWS);
  let failureRows = 0;
  let failureLines = 0;
  if (heights.length > 0 && free >= 3) {
    const share = Math.max(1, Math.floor((free - 2) / 3));
    for (const h of heights.reverse()) {
      const fitsShare = failureLines + h <= share;
      const firstFitsAtAll = failureRows === 0 && h <= free - 2;
      if (!fitsShare && !firstFitsAtAll) break;
      failureRows++;
      failureLines += h;
    }
    if (failureRows > 0) free -= 2 + failureLines;
  }
  const failures = { failureRows, failureLines };
  if (!showsInFlight) return { showsInFlight, inFlightRows: 0, showsMore: false, ...failures };
  if (o.inFlight <= free) return { showsInFlight, inFlightRows: o.inFlight, showsMore: false, ...failures };
  return { showsInFlight, inFlightRows: Math.max(0, free - 1), showsMore: free >= 1, ...failures };
}

function runLabel(s: DashboardProps): string {
  return `swarm run ${s.runId}`;
}

/** The header's parts, packed onto as many rows as the width needs: the run id is what `swarm resume` takes. */
function headerParts(s: DashboardProps): string[] {
  const run = s.run!;
  return [
    runLabel(s),
    run.model,
    run.roles.join(", "),
    `${run.tasks} tasks, ${run.files} files${run.skipped > 0 ? ` (${run.skipped} skipped)` : ""}`,
    ...(run.isResumed ? [`resumed (${run.alreadyDone} done before)`] : []),
  ];
}

function costParts(s: DashboardProps): string[] {
  const t = s.tokens;
  const tokens = [`tokens ${formatTokens(t.inputTokens)} in (${formatTokens(t.cachedInputTokens)} cached) / ${formatTokens(t.outputTokens)} out · ${s.steps} requests`];
  const estimate = s.estimate?.costUSD;
  if (estimate === undefined || estimate <= 0) return [`Cost ${formatUSD(s.costUSD)} (no estimate)`, ...tokens];
  // The projected time is the progress bar's ETA: one figure, not two that disagree.
  const projected = s.projection ? [`projected ${formatUSD(s.projection.costUSD)} at the end`] : [];
  return [`Cost ${formatUSD(s.costUSD)} of ${formatUSD(estimate)} estimated (${formatPercent(s.costUSD / estimate)})`, ...projected, ...tokens];
}

function phaseText(s: DashboardProps): string | null {
  const v = s.validation;
  if (s.phase === "committing") return `Committing to ${s.branch ?? "the run branch"} (${plural(s.commits, "commit")} so far)`;
  if (!v) return null;
  const facts = `${plural(v.problems, "new problem")} · ${plural(v.repairs, "repair")}, ${v.repaired} fixed · ${v.reverted} reverted`;
  return v.isFinished ? `Validated ${v.files} files: ${facts}` : `Validating ${v.files} files · ${facts}`;
}

/** Why the concurrency limit is where it is (issue 17): the limit's own words, wrapped rather than cut. */
function limitText(s: DashboardProps, columns: number): string | null {
  if (s.limit.current >= s.limit.max || s.limit.lastReason === null) return null;
  const text = `Limit ${s.limit.current}/${s.limit.max}: ${s.limit.lastReason}${s.limit.detail ? ` (${s.limit.detail})` : ""}`;
  // Two rows at most, so the frame height stays predictable.
  return [...text].length > 2 * columns ? `${[...text].slice(0, 2 * columns - 1).join("")}…` : text;
}

function budgetText(s: DashboardProps): string | null {
  const { cost, steps } = s.budget.warnings;
  const parts = [
    ...(cost ? [`cost budget ${formatUSD(cost.used)} of ${formatUSD(cost.limit)}`] : []),
    ...(steps ? [`step budget ${steps.used} of ${steps.limit}`] : []),
  ];
  return parts.length > 0 ? `⚠ Nearly out of budget: ${parts.join(" · ")}` : null;
}

function stoppingText(s: DashboardProps): string | null {
  const stop = s.stopping;
  if (!stop) return null;
  const n = s.inFlight.size;
  // Nothing left to wait for: validation and commit follow and have their own line (issue 17).
  if (n === 0) return null;
  const agents = plural(n, "in-flight agent");
  if (stop.mode === "aborting") return `Aborting — cancelling ${agents}`;
  switch (stop.reason) {
    case "budget": {
      const b = s.budget.exhausted;
      const which = b ? `${b.budget} budget` : "budget";
      return `The ${which} is used up — starting nothing new, waiting for ${agents}`;
    }
    case "auth":
      return `The endpoint rejected the API key — stopping, waiting for ${agents}`;
    default:
      return `Draining — waiting for ${agents} (Ctrl-C again to abort)`;
  }
}
