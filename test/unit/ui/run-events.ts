// Builds event sequences the way the engine emits them (envelope stamped here), for reducer and
// dashboard tests: `run.task(...)` helpers keep each test to the facts it is about.
import { readFileSync } from "node:fs";
import type { ErrorInfo, Role, StepErrorCode, Usage } from "../../../src/core/types.js";
import type { RunSummary, SummaryMetrics, SwarmEvent, SwarmEventInput } from "../../../src/events/types.js";

export const RUN_ID = "20250101-120000-abcd";

export function recorder(runId = RUN_ID) {
  let seq = 0;
  const events: SwarmEvent[] = [];
  const emit = (t: number, input: SwarmEventInput): SwarmEvent => {
    const event = { ...input, seq: ++seq, t, runId } as SwarmEvent;
    events.push(event);
    return event;
  };
  const id = (role: Role, file: string) => `${role}:${file}`;
  const usage = (input = 1000, cached = 400, output = 300): Usage => ({ inputTokens: input, cachedInputTokens: cached, outputTokens: output });

  return {
    events,
    emit,
    start(t: number, o: { tasks: number; roles?: Role[]; concurrency?: number; costUSD?: number; tasksByRole?: Partial<Record<Role, number>> }) {
      const roles = o.roles ?? ["refactor", "test", "doc"];
      return emit(t, {
        type: "run.started",
        repo: "/repo",
        branch: `swarm/${runId}`,
        roles,
        tasks: o.tasks,
        files: Math.ceil(o.tasks / roles.length),
        skipped: 2,
        concurrency: o.concurrency ?? 8,
        model: "kimi-k2.6",
        estimate: o.costUSD === undefined ? null : { inputTokens: 1e6, cachedInputTokens: 4e5, outputTokens: 3e5, costUSD: o.costUSD, wallMs: 60_000 },
        resumed: false,
        alreadyDone: 0,
        ...(o.tasksByRole ? { tasksByRole: o.tasksByRole } : {}),
      });
    },
    /** task.queued + task.started + step.started (attempt 1). */
    begin(t: number, role: Role, file: string) {
      emit(t, { type: "task.queued", taskId: id(role, file), role, file });
      emit(t, { type: "task.started", taskId: id(role, file), role, file });
      emit(t, { type: "step.started", taskId: id(role, file), kind: role, attempt: 1, model: "kimi-k2.6" });
    },
    /** A failed step followed by its backoff (429 by default), then the next attempt's start at t + delay. */
    retry(t: number, role: Role, file: string, attempt: number, code: StepErrorCode = "rate-limited", delayMs = 2000) {
      const error: ErrorInfo = { code, message: code === "rate-limited" ? "429 Too Many Requests" : `step failed: ${code}` };
      emit(t, { type: "step.finished", taskId: id(role, file), kind: role, attempt, ok: false, usage: usage(0, 0, 0), costUSD: 0, latencyMs: 100, error });
      emit(t, { type: "step.retry", taskId: id(role, file), kind: role, attempt, error, ...(code === "rate-limited" ? { status: 429 } : {}), delayMs });
    },
    nextAttempt(t: number, role: Role, file: string, attempt: number) {
      emit(t, { type: "step.started", taskId: id(role, file), kind: role, attempt, model: "kimi-k2.6" });
    },
    finish(t: number, role: Role, file: string, o: { attempt?: number; costUSD?: number; usage?: Usage } = {}) {
      const u = o.usage ?? usage();
      const attempt = o.attempt ?? 1;
      emit(t, { type: "step.finished", taskId: id(role, file), kind: role, attempt, ok: true, usage: u, costUSD: o.costUSD ?? 0.01, latencyMs: 500 });
      emit(t, { type: "task.finished", taskId: id(role, file), role, file, output: file, attempts: attempt, usage: u, latencyMs: 500, wallMs: 500, changed: true });
    },
    fail(t: number, role: Role, file: string, code: StepErrorCode, message: string, attempts = 1) {
      const error: ErrorInfo = { code, message };
      if (code !== "dependency-failed") {
        emit(t, { type: "step.finished", taskId: id(role, file), kind: role, attempt: attempts, ok: false, usage: usage(800, 0, 50), costUSD: 0.002, latencyMs: 400, error });
      }
      emit(t, { type: "task.failed", taskId: id(role, file), role, file, output: file, attempts, error });
    },
  };
}

export function summaryOf(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: RUN_ID,
    repo: "/repo",
    branch: `swarm/${RUN_ID}`,
    runDir: `/repo/.swarm/runs/${RUN_ID}`,
    reportJson: `.swarm/runs/${RUN_ID}/report.json`,
    reportMd: `.swarm/runs/${RUN_ID}/report.md`,
    stoppedBy: "completed",
    counts: {
      byRole: {
        refactor: { total: 30, succeeded: 29, failed: 1, notRun: 0 },
        test: { total: 30, succeeded: 29, failed: 1, notRun: 0 },
        doc: { total: 30, succeeded: 30, failed: 0, notRun: 0 },
      },
      total: 90,
      succeeded: 88,
      failed: 2,
      notRun: 0,
    },
    tokens: { inputTokens: 1_200_000, cachedInputTokens: 800_000, outputTokens: 300_000 },
    costUSD: 3.12,
    estimatedCostUSD: 3.4,
    durationMs: 252_000,
    failed: [
      { taskId: "refactor:src/a.js", file: "src/a.js", output: "src/a.js", error: { code: "no-code-block", message: "the answer had no fenced code block" } },
      { taskId: "test:src/a.js", file: "src/a.js", output: "src/a.test.js", error: { code: "dependency-failed", message: "refactor:src/a.js failed" } },
    ],
    exitCode: 1,
    ...overrides,
  };
}

const SAMPLE_RUN = new URL("../../../fixtures/events/sample-run.jsonl", import.meta.url);

/** The recorded run in fixtures/events, as written by the NDJSON reporter. */
export function readSampleRun(): SwarmEvent[] {
  return readFileSync(SAMPLE_RUN, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as SwarmEvent);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
export const stripAnsi = (text: string | undefined): string => (text ?? "").replace(ANSI, "");

/** Swarm metrics as summarizeMetrics would carry them: below target, one slow and one token-heavy agent. */
export function metricsOf(overrides: Partial<SummaryMetrics> = {}): SummaryMetrics {
  return {
    completion: { succeeded: 80, total: 90, rate: 80 / 90, target: 0.95, isBelowTarget: true },
    wallMsByRole: {
      refactor: { count: 30, p50: 1200, p95: 3400, max: 41_000 },
      test: { count: 29, p50: 900, p95: 2100, max: 3000 },
      doc: { count: 0, p50: 0, p95: 0, max: 0 },
    },
    tokensPerAgentByRole: {
      refactor: { count: 30, p50: 1500, p95: 2000, max: 9000 },
      test: { count: 29, p50: 1100, p95: 1400, max: 1500 },
      doc: { count: 0, p50: 0, p95: 0, max: 0 },
    },
    slowOutliers: { count: 1, factor: 3, top: [{ taskId: "refactor:src/big.js", file: "src/big.js", role: "refactor", wallMs: 41_000, roleP50: 1200 }] },
    tokenOutliers: { count: 2, factor: 3, top: [{ taskId: "refactor:src/big.js", file: "src/big.js", role: "refactor", tokens: 9000, ratio: 6 }] },
    retries: { total: 5, byCause: { "rate-limited": 4, timeout: 1 } },
    rateLimited: 4,
    ...overrides,
  };
}
