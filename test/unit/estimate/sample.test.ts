import { describe, expect, it } from "vitest";
import type { Plan, StepRecord, Task, Usage } from "../../../src/core/types.js";
import { loadPricing } from "../../../src/estimate/pricing.js";
import { extrapolateSample, ratioRange, samplePlan, selectSample, SINGLE_TASK_SPREAD } from "../../../src/estimate/sample.js";

const sizes = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
const task = (role: Task["role"], i: number): Task => ({
  id: `${role}:f${i}.js`,
  role,
  file: `f${i}.js`,
  output: role === "refactor" ? `f${i}.js` : role === "test" ? `f${i}.test.js` : `docs/f${i}.md`,
  dependsOn: role === "refactor" ? [] : [`refactor:f${i}.js`],
  bytes: sizes[i]!,
});
const plan: Plan = {
  version: 1,
  roles: ["refactor", "test", "doc"],
  tasks: (["refactor", "test", "doc"] as const).flatMap((role) => sizes.map((_, i) => task(role, i))),
  files: sizes.map((bytes, i) => ({ path: `f${i}.js`, bytes })),
  skips: [],
};
const byId = new Map(plan.tasks.map((t) => [t.id, t]));

describe("selectSample", () => {
  it("spreads N picks over roles and sizes, and leans on refactors already picked", () => {
    const s = selectSample(plan, 6);
    expect(s.picked).toHaveLength(6);
    const picked = s.picked.map((id) => byId.get(id)!);
    expect(picked.filter((t) => t.role === "refactor")).toHaveLength(2);
    expect(picked.filter((t) => t.role === "test")).toHaveLength(2);
    expect(picked.filter((t) => t.role === "doc")).toHaveLength(2);
    const refactorBytes = picked.filter((t) => t.role === "refactor").map((t) => t.bytes);
    expect(Math.min(...refactorBytes)).toBeLessThanOrEqual(500);
    expect(Math.max(...refactorBytes)).toBeGreaterThan(500);
    // Every test and doc pick is on a file whose refactor was picked: no extra requests.
    expect(s.prerequisites).toEqual([]);
    expect(s.taskIds.sort()).toEqual([...s.picked].sort());
  });

  it("adds a prerequisite when a role's picks cannot lean on a sampled refactor", () => {
    const bigTests: Plan = { ...plan, tasks: plan.tasks.filter((t) => t.role === "refactor" || (t.role === "test" && t.bytes > 500)) };
    const s = selectSample(bigTests, 2);
    // The refactor pick is the median file (f4); the test pick (f7, the middle of f5…f9) needs its own refactor.
    expect(s.picked).toEqual(["refactor:f4.js", "test:f7.js"]);
    expect(s.prerequisites).toEqual(["refactor:f7.js"]);
    expect(s.taskIds).toEqual(["refactor:f4.js", "refactor:f7.js", "test:f7.js"]);
  });

  it.each([
    { n: 0, picked: 0 },
    { n: 1, picked: 1 },
    { n: 2, picked: 2 },
    { n: 30, picked: 30 },
    { n: 99, picked: 30 },
  ])("N = $n picks $picked tasks", ({ n, picked }) => {
    const s = selectSample(plan, n);
    expect(s.picked).toHaveLength(picked);
    expect(new Set(s.taskIds).size).toBe(s.taskIds.length);
  });

  it("samplePlan keeps the tasks and their files", () => {
    const s = selectSample(plan, 3);
    const sub = samplePlan(plan, s);
    expect(sub.tasks.map((t) => t.id)).toEqual(s.taskIds);
    expect(sub.files.map((f) => f.path).sort()).toEqual([...new Set(sub.tasks.map((t) => t.file))].sort());
  });
});

describe("ratioRange", () => {
  it("scales the whole by Σ actual ÷ Σ estimated", () => {
    const r = ratioRange([[100, 110], [200, 220]], 1000, 10);
    expect(r.expected).toBeCloseTo(1100, 9);
    // Every pair has the same ratio: nothing varies, so the range collapses.
    expect(r.low).toBeCloseTo(1100, 9);
    expect(r.high).toBeCloseTo(1100, 9);
  });

  it("widens with the spread of the pairs, and narrows as the sample covers the population", () => {
    const pairs: [number, number][] = [[100, 80], [100, 120], [100, 100]];
    const some = ratioRange(pairs, 1000, 30);
    const all = ratioRange(pairs, 1000, 3);
    expect(some.expected).toBeCloseTo(1000, 9);
    expect(some.low).toBeLessThan(1000);
    expect(some.high).toBeGreaterThan(1000);
    expect(all.low).toBeCloseTo(1000, 9);
  });

  it(`one pair: ± ${SINGLE_TASK_SPREAD * 100}%; none: the static figure with that spread`, () => {
    expect(ratioRange([[100, 200]], 1000, 10)).toEqual({ low: 1500, expected: 2000, high: 2500 });
    expect(ratioRange([], 1000, 10)).toEqual({ low: 750, expected: 1000, high: 1250 });
  });
});

describe("extrapolateSample", () => {
  const u = (inputTokens: number, cachedInputTokens: number, outputTokens: number): Usage => ({ inputTokens, cachedInputTokens, outputTokens });
  const pricing = loadPricing();
  const est = (t: Task) => ({ model: "kimi-k2.6", usage: u(t.bytes, 0, t.bytes / 2) });
  const planUsage = Object.fromEntries(plan.tasks.map((t) => [t.id, est(t)]));
  const selection = selectSample(plan, 6);
  const sampleUsage = Object.fromEntries(selection.taskIds.map((id) => [id, est(byId.get(id)!)]));
  const step = (id: string, usage: Usage, over: Partial<StepRecord> = {}): StepRecord => ({
    taskId: id,
    kind: byId.get(id)!.role,
    attempt: 1,
    model: "kimi-k2.6",
    ok: true,
    usage,
    latencyMs: 1,
    final: true,
    ...over,
  });

  it("bills exactly as estimated: the expected figures are the static ones, retries priced in when there are some", () => {
    const steps = selection.taskIds.map((id) => step(id, est(byId.get(id)!).usage));
    const x = extrapolateSample({ plan, planUsage, sampleUsage, steps, pricing });
    expect(x.total.tasks).toBe(30);
    expect(x.total.sampled).toBe(6);
    expect(x.total.costUSD.expected).toBeCloseTo(x.total.staticUSD, 12);
    expect(x.total.outputTokens.expected).toBe(x.total.staticTokens.outputTokens);
    expect(x.total.measured.retries).toBe(0);

    const first = selection.taskIds[0]!;
    const withRetry = [step(first, est(byId.get(first)!).usage, { ok: false, final: false }), ...steps];
    const y = extrapolateSample({ plan, planUsage, sampleUsage, steps: withRetry, pricing });
    expect(y.total.measured.retries).toBe(1);
    expect(y.total.costUSD.expected).toBeGreaterThan(x.total.costUSD.expected);
    // A sample runs no validation: the static estimate's expected repairs are added to the total, widely.
    const z = extrapolateSample({ plan, planUsage, sampleUsage, steps, pricing, repairsUSD: 0.01 });
    expect(z.total.costUSD.expected).toBeCloseTo(x.total.costUSD.expected + 0.01, 12);
    expect(z.total.costUSD.low).toBeCloseTo(x.total.costUSD.low + 0.003, 12);
    expect(z.total.costUSD.high).toBeCloseTo(x.total.costUSD.high + 0.03, 12);
    expect(z.assumptions.join("\n")).toContain("a sample runs no validation");
  });

  it("scales each role by its own bills and measures the cache share", () => {
    const steps = selection.taskIds.map((id) => {
      const t = byId.get(id)!;
      const e = est(t).usage;
      return step(id, t.role === "doc" ? u(e.inputTokens, e.inputTokens / 2, e.outputTokens * 2) : e);
    });
    const x = extrapolateSample({ plan, planUsage, sampleUsage, steps, pricing });
    expect(x.byRole.refactor!.outputTokens.expected).toBe(x.byRole.refactor!.staticTokens.outputTokens);
    expect(x.byRole.doc!.outputTokens.expected).toBe(x.byRole.doc!.staticTokens.outputTokens * 2);
    expect(x.byRole.doc!.measured.cacheHitShare).toBe(0.5);
    expect(x.total.costUSD.low).toBeLessThanOrEqual(x.total.costUSD.expected);
    expect(x.total.costUSD.high).toBeGreaterThanOrEqual(x.total.costUSD.expected);
  });
});
