import { describe, expect, it } from "vitest";
import { budgetTooSmall } from "../../../src/execute/budget.js";
import { isProjectionDue, projectRun } from "../../../src/execute/projection.js";

describe("projectRun", () => {
  const perTaskUSD = { a: 0.1, b: 0.1, c: 0.2, d: 0.2 };

  it("scales the remaining tasks' estimates by the observed spent ÷ estimated, and adds validation and commit time", () => {
    // a and b were estimated at $0.20 and billed $0.30 (retries): the rest is projected 1.5× too.
    const p = projectRun({ perTaskUSD, done: ["a", "b"], tasks: 4, spentUSD: 0.3, elapsedMs: 10_000, afterMs: 4000, afterUSD: 0.02 });
    expect(p.costRate).toBeCloseTo(1.5, 12);
    expect(p.costUSD).toBeCloseTo(0.3 + 0.4 * 1.5 + 0.02 * 1.5, 12);
    expect(p.etaMs).toBe(2 * 5000 + 4000);
  });

  it("has no time projection before a task is decided, and the estimate's cost", () => {
    const p = projectRun({ perTaskUSD, done: [], tasks: 4, spentUSD: 0, elapsedMs: 500, afterMs: 4000, afterUSD: 0 });
    expect(p.costUSD).toBeCloseTo(0.6, 12);
    expect(Number.isNaN(p.etaMs)).toBe(true);
  });

  it("at the end only validation and commit are left", () => {
    const p = projectRun({ perTaskUSD, done: ["a", "b", "c", "d"], tasks: 4, spentUSD: 0.5, elapsedMs: 9000, afterMs: 3000, afterUSD: 0 });
    expect(p).toMatchObject({ costUSD: 0.5, etaMs: 3000 });
  });

  it("is due at each tenth of the tasks decided", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].filter((n) => isProjectionDue(n - 1, n, 20))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(isProjectionDue(0, 1, 3)).toBe(true);
    expect(isProjectionDue(3, 3, 3)).toBe(false);
  });
});

describe("budgetTooSmall", () => {
  it("names the smallest budget that starts one task, rounded up to the cent", () => {
    expect(budgetTooSmall(0.05, [0.071, 0.2])).toBe(0.08);
    expect(budgetTooSmall(0.08, [0.071, 0.2])).toBeNull();
    expect(budgetTooSmall(null, [1])).toBeNull();
    expect(budgetTooSmall(0.01, [])).toBeNull();
  });
});
