import { describe, expect, it } from "vitest";
import { createAdaptiveLimit } from "../../../src/execute/adaptive-limit.js";
import { budgetWarning, mayStartStep } from "../../../src/execute/budget.js";
import { ReadySet } from "../../../src/execute/ready-set.js";
import { retryDelayMs, shouldRetry } from "../../../src/execute/retry-policy.js";
import type { Task } from "../../../src/core/types.js";

const settings = { attempts: 4, baseMs: 1000, maxMs: 30_000 };

describe("retryDelayMs", () => {
  it.each([
    { attempt: 1, random: 0.5, expected: 1000 },
    { attempt: 2, random: 0.5, expected: 2000 },
    { attempt: 3, random: 0.5, expected: 4000 },
    { attempt: 3, random: 0, expected: 3200 },
    { attempt: 3, random: 1, expected: 4800 },
    { attempt: 10, random: 0.5, expected: 30_000 },
  ])("attempt $attempt with random $random waits $expected ms", ({ attempt, random, expected }) => {
    expect(retryDelayMs(attempt, settings, () => random)).toBe(expected);
  });

  it("honours Retry-After even above maxMs, with at most 10% jitter on top", () => {
    expect(retryDelayMs(1, settings, () => 0, 60_000)).toBe(60_000);
    expect(retryDelayMs(1, settings, () => 1, 60_000)).toBe(66_000);
  });

  it("does not wait less than the server asked for", () => {
    for (const r of [0, 0.3, 0.9]) expect(retryDelayMs(3, settings, () => r, 200)).toBeGreaterThanOrEqual(200);
  });

  it("allows `attempts` tries in all", () => {
    expect([1, 2, 3, 4].map((a) => shouldRetry(a, settings))).toEqual([true, true, true, false]);
  });
});

describe("adaptive limit", () => {
  // Feeds request ends: "r" = 429 (with `ahead` admitted ahead of it), "o" = usable answer, "x" = other failure.
  // `epoch`: when the requests started (default: each just now, after any cut).
  const feed = (limit: ReturnType<typeof createAdaptiveLimit>, ends: string, ahead?: number, epoch?: number) =>
    [...ends]
      .map((e) => (e === "r" ? limit.rateLimited(epoch ?? limit.started(), ahead) : limit.ended(epoch ?? limit.started(), e === "o")))
      .filter((c) => c !== undefined);

  it("takes isolated 429s as noise: 5% of requests refused never moves the limit", () => {
    const limit = createAdaptiveLimit(80);
    // One 429 in every 20 request ends, over 2000 ends.
    const changes = feed(limit, "ooooooooooooooooooor".repeat(100), 40);
    expect(changes).toEqual([]);
    expect(limit.limit).toBe(80);
  });

  it("a burst of refusals costs its share, not half: 25% refused cuts 80 to 60, with the reason", () => {
    const limit = createAdaptiveLimit(80);
    const changes = feed(limit, "ooor".repeat(20), 0, limit.started());
    expect(changes).toEqual([{ limit: 60, reason: "rate-limited", detail: "10 of the last 40 requests rate-limited" }]);
  });

  it("goes straight to what a server over capacity admitted, in one cut", () => {
    const limit = createAdaptiveLimit(200);
    // 20 admitted and still in flight, 180 refused at once.
    const changes = feed(limit, "r".repeat(180), 20, limit.started());
    expect(changes.map((c) => c.limit)).toEqual([20]);
  });

  it("ignores the ends of requests started before the last cut", () => {
    const limit = createAdaptiveLimit(40);
    const before = limit.started();
    for (let i = 0; i < 7; i++) limit.rateLimited(before, 10);
    expect(limit.rateLimited(before, 10)).toMatchObject({ limit: 10 });
    expect(limit.rateLimited(before, 10)).toBeUndefined();
    expect(limit.ended(before, true)).toBeUndefined();
  });

  it("probes one above the capacity found after a quiet window, and goes straight back when the probe draws a 429", () => {
    const limit = createAdaptiveLimit(30);
    expect(feed(limit, "r".repeat(20), 10, limit.started()).map((c) => c.limit)).toEqual([10]);
    // At the capacity found, growth counts only once a whole window (20 ends) passed without a 429, then one per `limit`.
    expect(feed(limit, "o".repeat(28))).toEqual([]);
    expect(feed(limit, "o")).toEqual([{ limit: 11, reason: "recovered", detail: "20 of the last 20 requests answered" }]);
    expect(feed(limit, "r", 10)).toEqual([{ limit: 10, reason: "rate-limited", detail: "1 of the last 20 requests rate-limited" }]);
    // …and a quiet stretch (the window without any 429) lets it grow back to the configured maximum.
    feed(limit, "o".repeat(2000));
    expect(limit.limit).toBe(30);
  });

  it("never goes below one", () => {
    const limit = createAdaptiveLimit(2);
    for (let i = 0; i < 10; i++) limit.rateLimited(limit.started(), 0);
    expect(limit.limit).toBe(1);
  });
});

describe("budget", () => {
  const state = { stepsStarted: 9, spentUSD: 0.5, inFlightUSD: 0.3 };
  it("stops at maxSteps", () => {
    expect(mayStartStep(state, { maxSteps: 10, maxCostUSD: null }, 0.1)).toEqual({ ok: true });
    expect(mayStartStep({ ...state, stepsStarted: 10 }, { maxSteps: 10, maxCostUSD: null }, 0.1)).toEqual({ ok: false, budget: "steps", used: 10, limit: 10 });
  });
  it("counts what is in flight before starting a step that would cross maxCostUSD", () => {
    expect(mayStartStep(state, { maxSteps: 100, maxCostUSD: 0.95 }, 0.1)).toEqual({ ok: true });
    expect(mayStartStep(state, { maxSteps: 100, maxCostUSD: 0.85 }, 0.1)).toMatchObject({ ok: false, budget: "cost" });
  });
  it("warns at 80%", () => {
    expect(budgetWarning(state, { maxSteps: 10, maxCostUSD: 10 })).toEqual([{ budget: "steps", used: 9, limit: 10 }]);
  });
});

describe("ReadySet", () => {
  const task = (id: string, dependsOn: string[] = []): Task => ({ id, role: "refactor", file: id, output: id, dependsOn, bytes: 1 });
  it("releases a task when its last prerequisite finishes", () => {
    const tasks = [task("a"), task("b"), task("c", ["a", "b"])];
    const ready = new ReadySet(tasks);
    expect(ready.initial(tasks)).toEqual(["a", "b"]);
    expect(ready.finished("a")).toEqual([]);
    expect(ready.finished("b")).toEqual(["c"]);
  });
});
