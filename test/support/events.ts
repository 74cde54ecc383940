// The one event kit: recorded event logs (fixtures/events/*.jsonl) checked against src/events/types.ts,
// event sequences built the way the engine emits them (envelope stamped here), run summaries and
// metrics, and a sink for what a reporter writes. Reporter, dashboard and reducer tests all use it.
import { readFileSync } from "node:fs";
import type { ErrorInfo, Role, StepErrorCode, Usage } from "../../src/core/types.js";
import type {
  EventEnvelope,
  RunSummary,
  SummaryMetrics,
  SwarmEvent,
  SwarmEventInput,
  SwarmEventOf,
  SwarmEventType,
} from "../../src/events/types.js";

// The field table below is type-checked against the union: add an event type or a required field
// there and this file stops compiling until the table follows.

type Payload<K extends SwarmEventType> = Omit<SwarmEventOf<K>, keyof EventEnvelope | "type">;
type RequiredKeys<T> = { [F in keyof T]-?: object extends Pick<T, F> ? never : F }[keyof T];
type KindOf<T> = [T] extends [string]
  ? "string"
  : [T] extends [number]
    ? "number"
    : [T] extends [boolean]
      ? "boolean"
      : [T] extends [readonly unknown[]]
        ? "array"
        : [T] extends [string | null]
          ? "string|null"
          : [T] extends [object]
            ? "object"
            : [T] extends [object | null]
              ? "object|null"
              : never;
type FieldTable = { [K in SwarmEventType]: { [F in RequiredKeys<Payload<K>>]: KindOf<Payload<K>[F]> } };

const EVENT_FIELDS: FieldTable = {
  "run.started": {
    repo: "string",
    branch: "string|null",
    roles: "array",
    tasks: "number",
    files: "number",
    skipped: "number",
    concurrency: "number",
    model: "string",
    estimate: "object|null",
    resumed: "boolean",
    alreadyDone: "number",
  },
  "task.queued": { taskId: "string", role: "string", file: "string" },
  "task.started": { taskId: "string", role: "string", file: "string" },
  "step.started": { taskId: "string", kind: "string", attempt: "number", model: "string" },
  "step.progress": { taskId: "string", kind: "string", attempt: "number", outputTokens: "number", elapsedMs: "number" },
  "step.retry": { taskId: "string", kind: "string", attempt: "number", error: "object", delayMs: "number" },
  "step.finished": {
    taskId: "string",
    kind: "string",
    attempt: "number",
    ok: "boolean",
    usage: "object",
    costUSD: "number",
    latencyMs: "number",
  },
  "task.finished": {
    taskId: "string",
    role: "string",
    file: "string",
    output: "string",
    attempts: "number",
    usage: "object",
    latencyMs: "number",
    wallMs: "number",
    changed: "boolean",
  },
  "task.failed": { taskId: "string", role: "string", file: "string", output: "string", attempts: "number", error: "object" },
  "limit.changed": { limit: "number", max: "number", reason: "string" },
  "validate.started": { files: "number" },
  "validate.problem": { problem: "object" },
  "validate.repair": { taskId: "string", file: "string", round: "number", problems: "array", fixed: "boolean" },
  "validate.revert": { taskId: "string", file: "string", problems: "array" },
  "validate.finished": { problems: "number", repaired: "number", reverted: "number" },
  "budget.warning": { budget: "string", used: "number", limit: "number" },
  "budget.exhausted": { budget: "string", used: "number", limit: "number" },
  "run.projection": { costUSD: "number", etaMs: "number", tasksDone: "number", tasks: "number", spentUSD: "number" },
  "run.phase": { phase: "string", elapsedMs: "number" },
  "run.draining": { reason: "string" },
  "run.aborting": { reason: "string" },
  "commit.created": { branch: "string", role: "string", sha: "string", files: "array" },
  "run.finished": { summary: "object" },
  "run.warning": { message: "string" },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as SwarmEventType[];

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function matches(value: unknown, kind: string): boolean {
  return kind.split("|").includes(kindOf(value));
}

/** Checks one parsed value is a well-formed SwarmEvent; throws naming the field otherwise. */
export function assertSwarmEvent(value: unknown, where = "event"): asserts value is SwarmEvent {
  if (typeof value !== "object" || value === null) throw new Error(`${where}: expected an object`);
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== "string" || !(type in EVENT_FIELDS)) throw new Error(`${where}: unknown event type ${JSON.stringify(type)}`);
  const envelope = { seq: "number", t: "number", runId: "string" };
  const fields: Record<string, string> = { ...envelope, ...EVENT_FIELDS[type as SwarmEventType] };
  for (const [field, kind] of Object.entries(fields)) {
    if (!(field in record)) throw new Error(`${where} (${type}): missing ${field}`);
    if (!matches(record[field], kind)) throw new Error(`${where} (${type}): ${field} should be ${kind}, got ${kindOf(record[field])}`);
  }
}

/**
 * Parses NDJSON into events: every line a known, complete event; seq increasing by one from 1;
 * t never going back; one runId throughout.
 */
export function parseEventLog(text: string): SwarmEvent[] {
  const events: SwarmEvent[] = [];
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .forEach((line, i) => {
      const where = `line ${i + 1}`;
      const value: unknown = JSON.parse(line);
      assertSwarmEvent(value, where);
      const previous = events.at(-1);
      if (value.seq !== (previous?.seq ?? 0) + 1) throw new Error(`${where}: seq ${value.seq} after ${previous?.seq ?? 0}`);
      if (previous && value.t < previous.t) throw new Error(`${where}: t went back from ${previous.t} to ${value.t}`);
      if (previous && value.runId !== previous.runId) throw new Error(`${where}: runId changed`);
      events.push(value);
    });
  return events;
}

function loadEventLog(path: string | URL): SwarmEvent[] {
  return parseEventLog(readFileSync(path, "utf8"));
}

/** fixtures/events/<name>.jsonl */
export function loadEventFixture(name: string): SwarmEvent[] {
  return loadEventLog(new URL(`../../fixtures/events/${name}.jsonl`, import.meta.url));
}

const RUN_ID = "20250101-120000-abcd";

/**
 * Builds event sequences the way the engine emits them (seq from 1, the given t, one runId):
 * `emit` stamps one event, the helpers below keep each test to the facts it is about.
 */
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

/** A 90-task run over three roles with two failures: the dashboard's tests. */
const FULL_RUN: RunSummary = {
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
};

/** A two-task run with one failure (a timeout): what the reporters' tests print. */
export const SMALL_RUN: RunSummary = {
  runId: "run-1",
  repo: "/repo",
  branch: "swarm/run-1",
  runDir: "/repo/.swarm/runs/run-1",
  reportJson: "/repo/.swarm/runs/run-1/report.json",
  reportMd: "/repo/.swarm/runs/run-1/report.md",
  stoppedBy: "completed",
  counts: { byRole: { refactor: { total: 2, succeeded: 1, failed: 1, notRun: 0 } }, total: 2, succeeded: 1, failed: 1, notRun: 0 },
  tokens: { inputTokens: 1000, cachedInputTokens: 500, outputTokens: 300 },
  costUSD: 0.01,
  estimatedCostUSD: 0.02,
  durationMs: 12_000,
  failed: [{ taskId: "refactor:src/b.js", file: "src/b.js", output: "src/b.js", error: { code: "timeout", message: "no answer in 120 s" } }],
  exitCode: 1,
};

/** A run summary: `base` (the full run by default) with `overrides`. */
export function summaryOf(overrides: Partial<RunSummary> = {}, base: RunSummary = FULL_RUN): RunSummary {
  return { ...structuredClone(base), ...overrides };
}

/** Collects what a reporter writes to its `out`. */
export function collect() {
  let text = "";
  return {
    out: { write: (s: string) => (text += s) },
    text: () => text,
    lines: () => text.split("\n").filter((l) => l !== ""),
  };
}

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
