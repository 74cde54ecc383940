import type { RunPhase, RunSummary, SummaryMetrics, SwarmEvent, SwarmEventOf } from "../events/index.js";
import { describeCompletion, describeEditAnswers, describeOutliers, describePhase, describeSpreadByRole, describeStoppedBy, errorPct, hiddenOutliers, reviewHandOff } from "../report/index.js";
import { formatDuration, formatPercent, formatPercentValue, formatTokens, formatUSD, oneLine, plural } from "../util/index.js";
import { createHeartbeat, type HeartbeatClock, type Pulse } from "./heartbeat.js";
import type { Reporter, TextSink } from "./types.js";

export type PlainStyle = "lines" | "ci" | "dots" | "failures";

export interface PlainReporterOptions {
  out: TextSink;
  /** Minimum event-time gap between two progress lines. @default 5000 */
  progressEveryMs?: number;
  /** Validation problems printed one per line before the rest are only counted. @default 20 */
  maxProblemLines?: number;
  /** Failures listed in the final summary. @default 20 */
  maxFailureLines?: number;
  /** Silence after which a heartbeat line is printed. @default 30000 */
  heartbeatEveryMs?: number;
  /** Clock of the heartbeat; tests inject a manual one. */
  clock?: HeartbeatClock;
  /**
   * What is printed per task (issue 17, `--reporter`): "lines" a line per task and a progress line every
   * `progressEveryMs`; "ci" (the default under CI) failures only and a progress line at each 5% of the tasks;
   * "dots" a `.` per finished and an `F` per failed task; "failures" failures only, no progress lines.
   * Phases, warnings, validation and the summary are printed in every style. @default "lines"
   */
  style?: PlainStyle;
}

/**
 * Line output for CI logs and pipes: pure ASCII, no ANSI, one line per finished or failed task,
 * and a progress line at most every `progressEveryMs` of *event* time. Retries are counted, not
 * printed: at 300 agents under rate limiting they would bury everything else. Whether a progress
 * line is due is decided on each event, so that output is a function of the event stream; only the
 * heartbeat, which must speak when no event comes (a stalled endpoint), runs on a clock.
 */
export function createPlainReporter(options: PlainReporterOptions): Reporter {
  const progressEveryMs = options.progressEveryMs ?? 5000;
  const maxProblemLines = options.maxProblemLines ?? 20;
  const maxFailureLines = options.maxFailureLines ?? 20;
  const heartbeat = createHeartbeat({
    everyMs: options.heartbeatEveryMs,
    clock: options.clock,
    write: (pulse) => print(heartbeatLine(pulse)),
  });
  const style = options.style ?? "lines";
  // Dots share a line until 80 of them or until any other line is printed.
  let dots = 0;
  const print = (line: string) => {
    options.out.write((dots > 0 ? "\n" : "") + line + "\n");
    dots = 0;
    heartbeat.printed();
  };
  const dot = (char: string) => {
    options.out.write(char);
    dots++;
    if (dots >= 80) {
      options.out.write("\n");
      dots = 0;
    }
    heartbeat.printed();
  };

  const state = {
    isStarted: false,
    isFinished: false,
    total: 0,
    done: 0,
    failed: 0,
    retries: 0,
    rateLimited: 0,
    tokens: 0,
    costUSD: 0,
    estimatedCostUSD: null as number | null,
    limit: 0,
    lastProgressT: 0,
    /** Quiet mode: the last 5% step a progress line was printed for. */
    lastProgressStep: 0,
    problems: 0,
    phase: null as RunPhase | null,
  };

  const handlers: { [K in SwarmEvent["type"]]?: (event: SwarmEventOf<K>) => void } = {
    "run.started": (e) => {
      state.isStarted = true;
      state.total = e.tasks;
      state.done = e.alreadyDone;
      state.lastProgressStep = e.tasks === 0 ? 0 : Math.floor((e.alreadyDone / e.tasks) * 20);
      state.limit = e.concurrency;
      state.lastProgressT = e.t;
      state.estimatedCostUSD = e.estimate?.costUSD ?? null;
      const target = e.branch ? ` -> ${e.branch}` : "";
      print(
        `swarm ${e.runId}: ${e.tasks} tasks (${e.roles.join(", ")}) over ${e.files} files, ${e.skipped} skipped; ` +
          `concurrency ${e.concurrency}; model ${e.model}${target}`,
      );
      if (e.estimate) {
        const est = e.estimate;
        const cached = est.inputTokens === 0 ? "" : ` (${formatPercent(est.cachedInputTokens / est.inputTokens)} cached)`;
        print(
          `estimate: ${formatTokens(est.inputTokens)} in${cached}, ${formatTokens(est.outputTokens)} out, ` +
            `${formatUSD(est.costUSD)}, about ${formatDuration(est.wallMs)}`,
        );
      }
      if (e.resumed) print(`resuming: ${e.alreadyDone} of ${e.tasks} tasks already done`);
    },
    "step.retry": (e) => {
      state.retries++;
      if (e.status === 429 || e.error.code === "rate-limited") state.rateLimited++;
    },
    "step.finished": (e) => {
      state.tokens += e.usage.inputTokens + e.usage.outputTokens;
      state.costUSD += e.costUSD;
    },
    "run.phase": (e) => {
      // A long phase is announced again to keep a terminal's clock moving; a log says it once.
      if (e.phase === state.phase) return;
      state.phase = e.phase;
      print(`phase: ${describePhase(e.phase, e.count)} (${formatDuration(e.elapsedMs)})`);
    },
    "task.finished": (e) => {
      state.done++;
      if (style === "dots") {
        dot(e.changed ? "." : "-");
        return;
      }
      if (style !== "lines") return;
      const tokens = formatTokens(e.usage.inputTokens + e.usage.outputTokens);
      const unchanged = e.changed ? "" : ", unchanged";
      print(`ok   ${e.role} ${e.file} (${plural(e.attempts, "attempt")}, ${tokens} tok, ${formatDuration(e.wallMs)}${unchanged})`);
    },
    "task.failed": (e) => {
      state.done++;
      state.failed++;
      if (style === "dots") {
        dot("F");
        return;
      }
      print(`FAIL ${e.role} ${e.file}: ${e.error.code} - ${oneLine(e.error.message, 200)} (${plural(e.attempts, "attempt")})`);
    },
    "limit.changed": (e) => {
      state.limit = e.limit;
      const why = e.reason === "rate-limited" ? "rate-limited" : "recovered";
      print(`limit: concurrency ${e.limit} of ${e.max} (${why}${e.detail ? `: ${oneLine(e.detail, 200)}` : ""})`);
    },
    "validate.started": (e) => print(`validating ${plural(e.files, "changed file")}`),
    "validate.problem": (e) => {
      state.problems++;
      if (state.problems > maxProblemLines) return;
      const p = e.problem;
      const where = p.line ? `${p.file}:${p.line}` : p.file;
      const blame = p.blame ? ` (from ${p.blame})` : "";
      print(`problem ${where} ${p.code}: ${oneLine(p.message, 200)}${blame}`);
    },
    "validate.repair": (e) =>
      print(`repair ${e.file} round ${e.round}: ${e.fixed ? "fixed" : "still broken"} (${plural(e.problems.length, "problem")})`),
    "validate.revert": (e) => print(`revert ${e.file}: ${plural(e.problems.length, "problem")} left after repair; ${e.taskId} reverted`),
    "validate.finished": (e) => {
      if (state.problems > maxProblemLines) print(`... ${state.problems - maxProblemLines} more problems (see the report)`);
      print(`validation: ${plural(e.problems, "problem")}, ${e.repaired} repaired, ${e.reverted} reverted`);
    },
    "budget.warning": (e) => print(`budget: ${describeBudget(e.budget, e.used, e.limit)} used`),
    "budget.exhausted": (e) => print(`budget exhausted: ${e.spentUSD === undefined ? describeBudget(e.budget, e.used, e.limit) : describeCostStop(e.spentUSD, e.reserveUSD ?? 0, e.nextTasks ?? 1, e.limit)}; no new tasks will start`),
    "run.projection": (e) => print(`projection: ${formatUSD(e.costUSD)} final cost (${formatUSD(e.spentUSD)} spent), ~${formatDuration(e.etaMs)} to go incl. validation and commit; ${e.tasksDone}/${e.tasks} tasks done`),
    "run.draining": (e) => print(`draining (${e.reason}): waiting for in-flight tasks, starting no new ones`),
    "run.aborting": () => print("aborting: cancelling in-flight requests"),
    "commit.created": (e) => print(`commit ${e.sha.slice(0, 7)} on ${e.branch}: ${e.role}, ${plural(e.files.length, "file")}`),
    "run.warning": (e) => print(`warning: ${oneLine(e.message, 400)}`),
    "run.finished": (e) => {
      state.isFinished = true;
      for (const line of finalSummary(e.summary, maxFailureLines)) print(line);
    },
  };

  const progressLine = () => {
    const percent = state.total === 0 ? 100 : Math.floor((state.done / state.total) * 100);
    const cost = state.estimatedCostUSD === null ? formatUSD(state.costUSD) : `${formatUSD(state.costUSD)} / est ${formatUSD(state.estimatedCostUSD)}`;
    const rateLimited = state.rateLimited > 0 ? ` (${state.rateLimited}x429)` : "";
    return (
      `[ ${state.done}/${state.total} ${percent}% ] ${state.failed} failed | ${plural(state.retries, "retry", "retries")}${rateLimited} | ` +
      `${formatTokens(state.tokens)} tok | ${cost} | limit ${state.limit}`
    );
  };

  return {
    onEvent(event: SwarmEvent) {
      heartbeat.onEvent(event);
      const handle = handlers[event.type] as ((e: SwarmEvent) => void) | undefined;
      handle?.(event);
      if (!state.isStarted || state.isFinished) return;
      if (style === "dots" || style === "failures") return;
      if (style === "ci") {
        const step = state.total === 0 ? 0 : Math.floor((state.done / state.total) * 20);
        if (step > state.lastProgressStep) {
          state.lastProgressStep = step;
          print(progressLine());
        }
      } else if (event.t - state.lastProgressT >= progressEveryMs) {
        state.lastProgressT = event.t;
        print(progressLine());
      }
    },
    close: () => {
      heartbeat.stop();
      return Promise.resolve();
    },
  };
}

function heartbeatLine(p: Pulse): string {
  const answer = p.sinceLastAnswerMs === null ? "no answer yet" : `last answer ${formatDuration(p.sinceLastAnswerMs)} ago`;
  return `... still running: ${p.inFlight} in flight, ${plural(p.repairs, "repair")} running, ${answer}`;
}

function finalSummary(s: RunSummary, maxFailureLines: number): string[] {
  const c = s.counts;
  const lines = [
    `done: ${c.succeeded}/${c.total} tasks succeeded, ${c.failed} failed, ${c.notRun} not run (${describeStoppedBy(s.stoppedBy, s.budget ?? null)})`,
    `branch: ${s.branch ?? "none (nothing committed)"}`,
  ];
  if (s.codemod) lines.push(`codemod: ${s.codemod.done} file(s) done without the model, ${s.codemod.handedOff} handed off, ${s.codemod.failed} failed (${s.codemod.spec})`);
  const cached = s.tokens.inputTokens === 0 ? "" : ` (${formatPercent(s.tokens.cachedInputTokens / s.tokens.inputTokens)} cached)`;
  lines.push(`tokens: ${formatTokens(s.tokens.inputTokens)} in${cached}, ${formatTokens(s.tokens.outputTokens)} out`);
  if (s.estimatedCostUSD === null) {
    lines.push(`cost: ${formatUSD(s.costUSD)} (no estimate)`);
  } else {
    const error = formatPercentValue(errorPct(s.estimatedCostUSD, s.costUSD), { signed: true });
    lines.push(`cost: ${formatUSD(s.costUSD)} (estimate ${formatUSD(s.estimatedCostUSD)}, ${error})`);
  }
  lines.push(`time: ${formatDuration(s.durationMs)}`);
  if (s.metrics) lines.push(...metricsLines(s.metrics));
  lines.push(`report: ${s.reportMd}`, `        ${s.reportJson}`);
  if (s.failed.length > 0) {
    lines.push("failed:");
    for (const f of s.failed.slice(0, maxFailureLines)) {
      const role = f.taskId.split(":")[0];
      const output = f.output === f.file ? "" : ` -> ${f.output}`;
      lines.push(`  ${role} ${f.file}${output}: ${f.error.code} - ${oneLine(f.error.message, 200)}`);
    }
    if (s.failed.length > maxFailureLines) lines.push(`  ... and ${s.failed.length - maxFailureLines} more (see the report)`);
  }
  if (s.resumeHint) lines.push(`resume: ${s.resumeHint}`);
  const review = reviewHandOff(s);
  if (review.length > 0) lines.push("review:", ...review.map((line) => `  ${line}`));
  return lines;
}

/** Completion, per-role spread of wall time and tokens per agent, retries by cause, the worst outliers. ASCII only. */
function metricsLines(m: SummaryMetrics): string[] {
  const lines = [`completion: ${describeCompletion(m.completion)}`];
  const wall = describeSpreadByRole(m.wallMsByRole, formatDuration, "; ");
  if (wall) lines.push(`wall per agent (p50/p95/max): ${wall}`);
  const tokens = describeSpreadByRole(m.tokensPerAgentByRole, formatTokens, "; ");
  if (tokens) lines.push(`tokens per agent (p50/p95/max): ${tokens}`);
  if (m.retries.total > 0) {
    const causes = Object.entries(m.retries.byCause)
      .filter((e): e is [string, number] => (e[1] ?? 0) > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([cause, n]) => `${cause} ${n}`)
      .join(", ");
    lines.push(`retries: ${m.retries.total} (${causes}); 429 responses: ${m.rateLimited}`);
  }
  if (m.editAnswers && m.editAnswers.rate !== null) lines.push(describeEditAnswers(m.editAnswers).toLowerCase());
  for (const outlier of describeOutliers(m)) lines.push(`outlier ${outlier}`);
  const hidden = hiddenOutliers(m);
  if (hidden > 0) lines.push(`outlier ... and ${hidden} more (see the report)`);
  return lines;
}

/** Issue 16: the spend printed is what was billed; the reserve says why the run stopped short of the limit. */
function describeCostStop(spentUSD: number, reserveUSD: number, nextTasks: number, limit: number): string {
  return `cost ${formatUSD(spentUSD)} spent of ${formatUSD(limit)}; stopped before ${formatUSD(spentUSD + reserveUSD)}: ${nextTasks === 1 ? "the next task's" : `the next ${nextTasks} tasks'`} reserve (${formatUSD(reserveUSD)}) would cross the ${formatUSD(limit)} limit`;
}

function describeBudget(budget: "steps" | "cost", used: number, limit: number): string {
  const share = limit > 0 ? ` (${formatPercent(used / limit)})` : "";
  return budget === "cost" ? `cost ${formatUSD(used)} of ${formatUSD(limit)}${share}` : `steps ${used} of ${limit}${share}`;
}
