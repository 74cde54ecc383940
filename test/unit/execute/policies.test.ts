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
  it("cuts once per window however many 429s the window returns", () => {
    const limit = createAdaptiveLimit(100);
    const windows = Array.from({ length: 50 }, () => limit.started());
    const changes = windows.map((w) => limit.rateLimited(w)).filter((c) => c !== undefined);
    expect(changes).toEqual([80]);
    expect(limit.limit).toBe(80);
  });

  it("falls fast while far above capacity: each new window's first 429 cuts again", () => {
    const limit = createAdaptiveLimit(300);
    for (let i = 0; i < 12; i++) limit.rateLimited(limit.started());
    expect(limit.limit).toBeLessThan(25);
  });

  it("grows by one per `limit` successes and never above the maximum", () => {
    const limit = createAdaptiveLimit(10);
    limit.rateLimited(limit.started());
    expect(limit.limit).toBe(8);
    const w = limit.started();
    const grown = Array.from({ length: 8 }, () => limit.succeeded(w)).filter((c) => c !== undefined);
    expect(grown).toEqual([9]);
    for (let i = 0; i < 100; i++) limit.succeeded(limit.started());
    expect(limit.limit).toBe(10);
  });

  it("never goes below one", () => {
    const limit = createAdaptiveLimit(2);
    for (let i = 0; i < 10; i++) limit.rateLimited(limit.started());
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

describe("adaptive limit with the admitted count", () => {
  it("goes straight to what the server admitted, never below a quarter, always down by at least one", () => {
    const limit = createAdaptiveLimit(200);
    expect(limit.rateLimited(limit.started(), 20)).toBe(50); // a quarter of 200 first
    expect(limit.rateLimited(limit.started(), 20)).toBe(20);
    expect(limit.rateLimited(limit.started(), 20)).toBe(19); // at capacity: one down, not ×0.8
  });
  it("ignores 429s of requests started before the last cut", () => {
    const limit = createAdaptiveLimit(80);
    const before = limit.started();
    expect(limit.rateLimited(before, 70)).toBe(70);
    expect(limit.rateLimited(before, 10)).toBeUndefined();
  });
});
