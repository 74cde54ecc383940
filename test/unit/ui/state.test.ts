import { describe, expect, it } from "vitest";
import {
  etaMs,
  initialState,
  MAX_FAILURES,
  reduce,
  reduceAll,
  settledTasks,
  slowestInFlight,
  tokensPerSecond,
  totalTasks,
} from "../../../src/ui/state.js";
import { loadEventFixture, recorder, summaryOf } from "../../support/events.js";

describe("reduce", () => {
  it("starts executing with the announced concurrency as the limit and per-role totals", () => {
    const run = recorder();
    run.start(0, { tasks: 90, concurrency: 80, costUSD: 3.4, tasksByRole: { refactor: 30, test: 30, doc: 30 } });
    const state = reduceAll(run.events);
    expect(state.phase).toBe("executing");
    expect(state.runId).toBe(run.events[0].runId);
    expect(state.limit).toMatchObject({ current: 80, max: 80 });
    expect(state.estimate?.costUSD).toBe(3.4);
    expect(state.byRole.get("test")?.total).toBe(30);
    expect(totalTasks(state)).toBe(90);
    expect(settledTasks(state)).toBe(0);
  });

  it("infers per-role totals when every role has one task per file", () => {
    const run = recorder();
    run.start(0, { tasks: 6, roles: ["refactor", "test"] }); // 3 files
    expect(reduceAll(run.events).byRole.get("test")).toMatchObject({ total: 3, isTotalPlanned: true });
  });

  it("counts per-role totals from task events when the plan's split is unknown", () => {
    const run = recorder();
    run.start(0, { tasks: 5, roles: ["refactor", "test"] }); // 3 files, so not one task per file and role
    run.begin(1, "refactor", "a.js");
    run.begin(1, "refactor", "b.js");
    run.finish(5, "refactor", "a.js");
    run.begin(6, "test", "a.js");
    const state = reduceAll(run.events);
    expect(state.byRole.get("refactor")).toMatchObject({ total: 2, isTotalPlanned: false, succeeded: 1, running: 1 });
    expect(state.byRole.get("test")).toMatchObject({ total: 1, isTotalPlanned: false, running: 1 });
    expect(state.counts).toMatchObject({ running: 2, succeeded: 1, queued: 0 });
  });

  it("tracks an agent from start through a backoff and its next attempt to its end", () => {
    const run = recorder();
    run.start(0, { tasks: 3 });
    run.begin(100, "refactor", "src/a.js");
    const started = reduceAll(run.events);
    expect(started.inFlight.get("refactor:src/a.js")).toMatchObject({ role: "refactor", file: "src/a.js", startedAt: 100, attempt: 1, retry: null });

    run.retry(900, "refactor", "src/a.js", 1, "rate-limited", 4000);
    const waiting = reduceAll(run.events);
    expect(waiting.inFlight.get("refactor:src/a.js")?.retry).toEqual({ code: "rate-limited", delayMs: 4000, at: 900 });

    run.nextAttempt(4900, "refactor", "src/a.js", 2);
    const again = reduceAll(run.events);
    expect(again.inFlight.get("refactor:src/a.js")).toMatchObject({ attempt: 2, retry: null, startedAt: 100 });

    run.finish(6000, "refactor", "src/a.js", { attempt: 2 });
    const done = reduceAll(run.events);
    expect(done.inFlight.size).toBe(0);
    expect(done.counts.succeeded).toBe(1);
  });

  it("lists in-flight agents slowest first and stops at the limit", () => {
    const run = recorder();
    run.start(0, { tasks: 10 });
    for (let i = 0; i < 5; i++) run.begin(i * 10, "refactor", `f${i}.js`);
    run.finish(100, "refactor", "f0.js");
    const state = reduceAll(run.events);
    expect(slowestInFlight(state, 3).map((a) => a.file)).toEqual(["f1.js", "f2.js", "f3.js"]);
    expect(slowestInFlight(state, 0)).toEqual([]);
  });

  it("sums tokens and dollars over every step, failed ones included", () => {
    const run = recorder();
    run.start(0, { tasks: 2, costUSD: 1 });
    run.begin(0, "refactor", "a.js");
    run.begin(0, "refactor", "b.js");
    run.finish(10, "refactor", "a.js", { costUSD: 0.25, usage: { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 100 } });
    run.fail(20, "refactor", "b.js", "truncated", "finish_reason length");
    const state = reduceAll(run.events);
    expect(state.tokens).toEqual({ inputTokens: 1800, cachedInputTokens: 200, outputTokens: 150 });
    expect(state.costUSD).toBeCloseTo(0.252, 10);
    expect(state.steps).toBe(2);
  });

  it("counts retries by cause, 429 answers, and follows the concurrency limit", () => {
    const run = recorder();
    run.start(0, { tasks: 3, concurrency: 8 });
    run.begin(0, "refactor", "a.js");
    run.begin(0, "refactor", "b.js");
    run.retry(10, "refactor", "a.js", 1, "rate-limited");
    run.emit(10, { type: "limit.changed", limit: 4, max: 8, reason: "rate-limited" });
    run.retry(11, "refactor", "b.js", 1, "rate-limited");
    run.emit(11, { type: "limit.changed", limit: 2, max: 8, reason: "rate-limited" });
    run.retry(20, "refactor", "a.js", 2, "timeout");
    run.emit(30, { type: "limit.changed", limit: 3, max: 8, reason: "recovered" });
    const state = reduceAll(run.events);
    expect(state.retries).toEqual({ total: 3, byCause: { "rate-limited": 2, timeout: 1 } });
    expect(state.rateLimited).toBe(2);
    expect(state.limit).toEqual({ current: 3, max: 8, decreases: 2, lastReason: "recovered" });
  });

  it("keeps the latest failures with reasons, counting cascaded dependency failures without listing them", () => {
    const run = recorder();
    run.start(0, { tasks: 100 });
    for (let i = 0; i < MAX_FAILURES + 5; i++) {
      run.begin(i, "refactor", `f${i}.js`);
      run.fail(i + 1, "refactor", `f${i}.js`, i % 2 === 0 ? "no-code-block" : "timeout", `reason ${i}`);
    }
    run.fail(50, "test", "f0.js", "dependency-failed", "refactor:f0.js failed");
    const state = reduceAll(run.events);
    expect(state.failures).toHaveLength(MAX_FAILURES);
    expect(state.failures.at(-1)).toMatchObject({ file: `f${MAX_FAILURES + 4}.js`, message: `reason ${MAX_FAILURES + 4}` });
    expect(state.failuresByCode).toEqual({ "no-code-block": 13, timeout: 12, "dependency-failed": 1 });
    expect(state.counts.failed).toBe(MAX_FAILURES + 6);
    expect(state.log.filter((e) => e.kind === "failed")).toHaveLength(MAX_FAILURES + 5);
  });

  it("moves each task between statuses exactly once, whatever events repeat", () => {
    const run = recorder();
    run.start(0, { tasks: 1, roles: ["refactor"] });
    run.begin(0, "refactor", "a.js");
    run.finish(5, "refactor", "a.js");
    const [, , , , finished] = run.events.slice(-5);
    const state = reduceAll([...run.events, finished]);
    expect(state.counts).toMatchObject({ running: 0, succeeded: 1 });
    expect(state.byRole.get("refactor")).toMatchObject({ total: 1, succeeded: 1, running: 0 });
  });

  it("shows draining: agents in backoff are dropped, the rest stay until their step ends", () => {
    const run = recorder();
    run.start(0, { tasks: 10 });
    run.begin(0, "refactor", "a.js");
    run.begin(0, "refactor", "b.js");
    run.begin(0, "refactor", "c.js");
    run.retry(100, "refactor", "c.js", 1);
    run.emit(200, { type: "run.draining", reason: "interrupt" });
    const draining = reduceAll(run.events);
    expect(draining.stopping).toEqual({ mode: "draining", reason: "interrupt", t: 200 });
    expect([...draining.inFlight.keys()]).toEqual(["refactor:a.js", "refactor:b.js"]);

    // A step cut short by the stop ends without a task event.
    run.emit(300, {
      type: "step.finished",
      taskId: "refactor:b.js",
      kind: "refactor",
      attempt: 1,
      ok: false,
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 },
      costUSD: 0,
      latencyMs: 300,
      error: { code: "timeout", message: "timed out" },
    });
    run.emit(400, { type: "run.aborting", reason: "interrupt" });
    const aborting = reduceAll(run.events);
    expect([...aborting.inFlight.keys()]).toEqual(["refactor:a.js"]);
    expect(aborting.stopping?.mode).toBe("aborting");
  });

  it("follows validation: problems, repair agents, and a revert that turns a success into a failure", () => {
    const run = recorder();
    run.start(0, { tasks: 1, roles: ["refactor"] });
    run.begin(0, "refactor", "src/ids.js");
    run.finish(10, "refactor", "src/ids.js");
    const problem = { file: "src/users.js", line: 3, code: "missing-export", message: "imports `newId`, which is gone", blame: "refactor:src/ids.js" };
    run.emit(20, { type: "validate.started", files: 1 });
    run.emit(21, { type: "validate.problem", problem });
    run.emit(22, { type: "step.started", taskId: "refactor:src/ids.js", kind: "repair", attempt: 1, model: "m" });
    const repairing = reduceAll(run.events);
    expect(repairing.phase).toBe("validating");
    expect(repairing.inFlight.get("refactor:src/ids.js")).toMatchObject({ kind: "repair", file: "src/ids.js", startedAt: 22, isStepOnly: true });

    run.emit(30, { type: "step.finished", taskId: "refactor:src/ids.js", kind: "repair", attempt: 1, ok: true, usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5 }, costUSD: 0.001, latencyMs: 8 });
    run.emit(30, { type: "validate.repair", taskId: "refactor:src/ids.js", file: "src/ids.js", round: 1, problems: [problem], fixed: false });
    run.emit(31, { type: "validate.revert", taskId: "refactor:src/ids.js", file: "src/ids.js", problems: [problem] });
    run.emit(32, { type: "validate.finished", problems: 1, repaired: 0, reverted: 1 });
    const state = reduceAll(run.events);
    expect(state.inFlight.size).toBe(0);
    expect(state.validation).toEqual({ files: 1, problems: 1, repairs: 1, repaired: 0, reverted: 1, isFinished: true });
    expect(state.counts).toMatchObject({ succeeded: 0, failed: 1 });
    expect(state.failures.at(-1)).toMatchObject({ code: "reverted", message: "missing-export: imports `newId`, which is gone" });
  });

  it("estimates time left from the recent completion rate, in event time", () => {
    const run = recorder();
    run.start(0, { tasks: 10, roles: ["refactor"] });
    for (let i = 0; i < 4; i++) run.begin(0, "refactor", `f${i}.js`);
    // One completion per second since the first start.
    for (let i = 0; i < 4; i++) run.finish((i + 1) * 1000, "refactor", `f${i}.js`);
    const state = reduceAll(run.events);
    expect(etaMs(state, 4000)).toBe(6 * 1000);
    expect(etaMs(state, 4500)).toBe(6 * 1000 - 500);
    // Long past the countdown with tasks left: the rate is stale, so no figure at all.
    expect(etaMs(state, 1e9)).toBeNull();
    expect(etaMs(reduceAll(run.events.slice(0, 8)), 500)).toBeNull();
  });

  it("looks back over at least twice the concurrency, so a wave of 300 agents does not promise ETA 0", () => {
    const run = recorder();
    run.start(0, { tasks: 900, roles: ["refactor"], concurrency: 300 });
    for (let i = 0; i < 600; i++) run.begin(0, "refactor", `f${i}.js`);
    // First wave: 300 completions within 300 ms, 10 s after the start; the second wave runs.
    for (let i = 0; i < 300; i++) run.finish(10_000 + i, "refactor", `f${i}.js`);
    const state = reduceAll(run.events);
    // 300 done in 10.3 s → ~34 ms a task → 600 left ≈ 20 s, not 600 × 1 ms.
    const eta = etaMs(state, 10_300)!;
    expect(eta).toBeGreaterThan(15_000);
    expect(eta).toBeLessThan(25_000);
  });

  it("takes the run summary as the final word", () => {
    const run = recorder();
    run.start(0, { tasks: 90 });
    run.begin(0, "refactor", "src/a.js");
    run.emit(252_000, { type: "run.finished", summary: summaryOf() });
    const state = reduceAll(run.events);
    expect(state.phase).toBe("finished");
    expect(state.inFlight.size).toBe(0);
    expect(state.counts).toEqual({ queued: 0, running: 0, succeeded: 88, failed: 2, notRun: 0 });
    expect(state.byRole.get("doc")).toMatchObject({ total: 30, succeeded: 30 });
    expect(state.costUSD).toBe(3.12);
    expect(state.branch).toBe(summaryOf().branch);
  });

  it("replays the recorded sample run to its summary's counts", () => {
    const events = loadEventFixture("sample-run");
    const state = reduceAll(events);
    const summary = state.summary!;
    expect(summary).not.toBeNull();
    expect(state.counts.succeeded).toBe(summary.counts.succeeded);
    expect(state.counts.failed).toBe(summary.counts.failed);
    expect(state.retries.total).toBe(events.filter((e) => e.type === "step.retry").length);
    expect(state.rateLimited).toBe(2);
    expect(state.commits).toBe(3);
    expect(state.validation).toMatchObject({ problems: 2, reverted: 1, isFinished: true });

    // Before validation the live counts come from task events alone.
    const beforeValidation = reduceAll(events.slice(0, events.findIndex((e) => e.type === "validate.started")));
    expect(beforeValidation.counts).toMatchObject({ succeeded: 7, failed: 1, running: 0 });
    expect(beforeValidation.inFlight.size).toBe(0);
  });

  it("is deterministic: the same events give the same state", () => {
    const events = loadEventFixture("sample-run");
    expect(reduceAll(events)).toEqual(reduceAll(events));
    expect(reduce(initialState(), events[0])).toEqual(reduceAll(events.slice(0, 1)));
  });
});

describe("streamed progress", () => {
  it("shows the current attempt's tokens so far and tokens/s, and forgets them when the next attempt starts", () => {
    const run = recorder();
    run.start(0, { tasks: 3 });
    run.begin(100, "refactor", "src/a.js");
    const id = "refactor:src/a.js";
    expect(reduceAll(run.events).inFlight.get(id)?.progress).toBeNull();
    run.emit(1100, { type: "step.progress", taskId: id, kind: "refactor", attempt: 1, outputTokens: 40, elapsedMs: 1000 });
    run.emit(3100, { type: "step.progress", taskId: id, kind: "refactor", attempt: 1, outputTokens: 150, elapsedMs: 3000 });
    const streaming = reduceAll(run.events).inFlight.get(id)!;
    expect(streaming.progress).toEqual({ outputTokens: 150, elapsedMs: 3000 });
    expect(tokensPerSecond(streaming)).toBe(50);

    run.retry(3200, "refactor", "src/a.js", 1, "timeout", 1000);
    run.nextAttempt(4200, "refactor", "src/a.js", 2);
    // A progress event of the attempt that was given up arrives late: it is not the new attempt's.
    run.emit(4300, { type: "step.progress", taskId: id, kind: "refactor", attempt: 1, outputTokens: 160, elapsedMs: 3100 });
    const again = reduceAll(run.events).inFlight.get(id)!;
    expect(again.progress).toBeNull();
    expect(tokensPerSecond(again)).toBeNull();
  });

  it("has no rate before a second of streaming", () => {
    const run = recorder();
    run.start(0, { tasks: 3 });
    run.begin(0, "refactor", "src/a.js");
    run.emit(500, { type: "step.progress", taskId: "refactor:src/a.js", kind: "refactor", attempt: 1, outputTokens: 30, elapsedMs: 400 });
    expect(tokensPerSecond(reduceAll(run.events).inFlight.get("refactor:src/a.js")!)).toBeNull();
  });
});
