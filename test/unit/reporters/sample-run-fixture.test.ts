import { describe, expect, it } from "vitest";
import type { SwarmEvent, SwarmEventType } from "../../../src/events/types.js";
import { EVENT_TYPES, loadEventFixture, parseEventLog } from "../../support/events.js";

const events = loadEventFixture("sample-run");
const ofType = <K extends SwarmEventType>(type: K) =>
  events.filter((e): e is Extract<SwarmEvent, { type: K }> => e.type === type);

describe("fixtures/events/sample-run.jsonl", () => {
  it("parses against the event union", () => {
    expect(events.length).toBeGreaterThan(50);
    expect(events[0].type).toBe("run.started");
    expect(events.at(-1)!.type).toBe("run.finished");
  });

  it("covers the event types a dashboard has to draw", () => {
    const seen = new Set(events.map((e) => e.type));
    for (const type of [
      "run.started",
      "run.warning",
      "task.queued",
      "task.started",
      "step.started",
      "step.retry",
      "step.finished",
      "task.finished",
      "task.failed",
      "limit.changed",
      "validate.started",
      "validate.problem",
      "validate.repair",
      "validate.revert",
      "validate.finished",
      "commit.created",
      "run.finished",
    ] as const) {
      expect(seen, type).toContain(type);
    }
    expect(ofType("step.retry").some((e) => e.status === 429)).toBe(true);
    expect([...seen].every((type) => EVENT_TYPES.includes(type))).toBe(true);
  });

  it("is internally consistent: every step ends, every task is queued before it starts", () => {
    const open = new Set<string>();
    const queued = new Set<string>();
    for (const e of events) {
      if (e.type === "task.queued") queued.add(e.taskId);
      if (e.type === "task.started") expect(queued, e.taskId).toContain(e.taskId);
      if (e.type === "step.started") open.add(`${e.taskId}#${e.kind}#${e.attempt}`);
      if (e.type === "step.finished") expect(open.delete(`${e.taskId}#${e.kind}#${e.attempt}`), e.taskId).toBe(true);
    }
    expect([...open]).toEqual([]);
  });

  it("has a summary that adds up to the events", () => {
    const { summary } = ofType("run.finished")[0];
    const steps = ofType("step.finished");
    const sum = (pick: (e: (typeof steps)[number]) => number) => steps.reduce((s, e) => s + pick(e), 0);
    expect(summary.tokens).toEqual({
      inputTokens: sum((e) => e.usage.inputTokens),
      cachedInputTokens: sum((e) => e.usage.cachedInputTokens),
      outputTokens: sum((e) => e.usage.outputTokens),
    });
    expect(summary.costUSD).toBeCloseTo(sum((e) => e.costUSD), 8);

    const started = ofType("run.started")[0];
    const reverted = ofType("validate.revert").length;
    expect(summary.counts.total).toBe(started.tasks);
    expect(summary.counts.succeeded).toBe(ofType("task.finished").length - reverted);
    expect(summary.counts.failed).toBe(ofType("task.failed").length + reverted);
    expect(summary.failed).toHaveLength(summary.counts.failed);
    expect(summary.estimatedCostUSD).toBe(started.estimate?.costUSD);
    expect(summary.durationMs).toBeGreaterThanOrEqual(events.at(-1)!.t);
  });
});

describe("parseEventLog", () => {
  const line = (e: Record<string, unknown>) => JSON.stringify({ seq: 1, t: 0, runId: "r", ...e });

  it.each([
    { name: "unknown type", text: line({ type: "task.exploded" }), error: /line 1: unknown event type "task.exploded"/ },
    { name: "missing field", text: line({ type: "run.warning" }), error: /line 1 \(run.warning\): missing message/ },
    { name: "wrong field type", text: line({ type: "validate.started", files: "7" }), error: /files should be number, got string/ },
    {
      name: "seq gap",
      text: [line({ type: "run.warning", message: "a" }), line({ type: "run.warning", message: "b", seq: 3 })].join("\n"),
      error: /line 2: seq 3 after 1/,
    },
    {
      name: "time going back",
      text: [line({ type: "run.warning", message: "a", t: 5 }), line({ type: "run.warning", message: "b", seq: 2, t: 4 })].join("\n"),
      error: /t went back/,
    },
  ])("rejects $name", ({ text, error }) => {
    expect(() => parseEventLog(text)).toThrow(error);
  });

  it("accepts a nullable field as null and skips blank lines", () => {
    const text = `\n${line({ type: "commit.created", branch: "b", role: "refactor", sha: "abc", files: [] })}\n\n`;
    expect(parseEventLog(text)).toHaveLength(1);
  });
});
