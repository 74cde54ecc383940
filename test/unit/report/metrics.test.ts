import { describe, expect, it } from "vitest";
import type { StepRecord } from "../../../src/core/types.js";
import { computeMetrics, distribution, percentile, summarizeMetrics, type MetricStep, type MetricTask } from "../../../src/report/metrics.js";

describe("percentile (nearest rank)", () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it.each([
    { name: "empty", values: [], p: 50, expected: 0 },
    { name: "single", values: [42], p: 95, expected: 42 },
    { name: "p50 of 10 is the 5th", values: ten, p: 50, expected: 5 },
    { name: "p95 of 10 is the max", values: ten, p: 95, expected: 10 },
    { name: "p90 of 10 is the 9th", values: ten, p: 90, expected: 9 },
    { name: "p0 is the min", values: ten, p: 0, expected: 1 },
    { name: "p100 is the max", values: ten, p: 100, expected: 10 },
    { name: "p50 of 4 is the 2nd (no interpolation)", values: [10, 20, 30, 40], p: 50, expected: 20 },
    { name: "p95 of 20 is the 19th", values: Array.from({ length: 20 }, (_, i) => i + 1), p: 95, expected: 19 },
  ])("$name", ({ values, p, expected }) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it("distribution sorts a copy", () => {
    const values = [30, 10, 20];
    expect(distribution(values)).toEqual({ count: 3, p50: 20, p95: 30, max: 30 });
    expect(values).toEqual([30, 10, 20]);
    expect(distribution([])).toEqual({ count: 0, p50: 0, p95: 0, max: 0 });
  });
});

const task = (id: string, over: Partial<MetricTask> = {}): MetricTask => ({
  id,
  role: (id.split(":")[0] as MetricTask["role"]) ?? "refactor",
  file: id.split(":")[1] ?? id,
  status: "succeeded",
  attempts: 1,
  inputTokens: 1000,
  outputTokens: 500,
  wallMs: 10_000,
  ...over,
});

const step = (taskId: string, over: Partial<StepRecord> = {}): MetricStep => ({
  taskId,
  kind: "refactor",
  ok: true,
  latencyMs: 1000,
  ...over,
});

describe("completion", () => {
  it.each([
    { name: "all succeeded", statuses: ["succeeded", "succeeded"], rate: 1, isBelowTarget: false },
    { name: "19 of 20 is exactly the target", statuses: [...Array(19).fill("succeeded"), "failed"], rate: 0.95, isBelowTarget: false },
    { name: "18 of 20 is below", statuses: [...Array(18).fill("succeeded"), "failed", "not-run"], rate: 0.9, isBelowTarget: true },
    { name: "empty plan", statuses: [], rate: null, isBelowTarget: false },
  ])("$name", ({ statuses, rate, isBelowTarget }) => {
    const tasks = statuses.map((status, i) => task(`refactor:f${i}.js`, { status: status as MetricTask["status"] }));
    const { completion } = computeMetrics({ tasks, steps: [] });
    expect(completion.rate).toBe(rate);
    expect(completion.isBelowTarget).toBe(isBelowTarget);
    expect(completion.total).toBe(statuses.length);
  });
});

describe("tokens per agent", () => {
  it("flags agents above 3× their role's median, per role, largest first", () => {
    const tasks = [
      task("refactor:a.js", { inputTokens: 900, outputTokens: 100 }), // 1000
      task("refactor:b.js", { inputTokens: 900, outputTokens: 100 }),
      task("refactor:c.js", { inputTokens: 2900, outputTokens: 100 }), // 3000 = 3× median: not flagged
      task("refactor:d.js", { inputTokens: 3900, outputTokens: 200 }), // 4100 > 3000
      task("refactor:e.js", { inputTokens: 900, outputTokens: 100 }),
      task("test:a.js", { inputTokens: 9000, outputTokens: 1000 }), // other role, own median
      task("test:b.js", { inputTokens: 9000, outputTokens: 1000 }),
      task("test:c.js", { inputTokens: 90_000, outputTokens: 1000 }), // 91k > 30k
      task("test:z.js", { attempts: 0, status: "not-run", inputTokens: 0, outputTokens: 0 }), // never ran: not an agent
    ];
    const { tokensPerAgent } = computeMetrics({ tasks, steps: [] });
    expect(tokensPerAgent.byRole.refactor).toEqual({ count: 5, p50: 1000, p95: 4100, max: 4100 });
    expect(tokensPerAgent.byRole.test.count).toBe(3);
    expect(tokensPerAgent.outliers.map((o) => [o.taskId, o.ratio])).toEqual([
      ["test:c.js", 9.1],
      ["refactor:d.js", 4.1],
    ]);
  });
});

describe("wall time and slow outliers", () => {
  const wallTasks = (walls: number[]) => walls.map((wallMs, i) => task(`refactor:f${String(i).padStart(2, "0")}.js`, { wallMs }));

  it.each([
    {
      name: "small group: p95 is the max, so nothing can exceed it",
      walls: [10, 10, 10, 100],
      slow: [],
    },
    {
      name: "20 agents: the one above 3× p50 and above p95 is flagged",
      walls: [...Array(19).fill(10_000), 45_000],
      slow: ["refactor:f19.js"],
    },
    {
      name: "above p95 but under 3× p50 is not flagged",
      walls: [...Array(19).fill(10_000), 25_000],
      slow: [],
    },
    {
      name: "two slow ones in 40: both above p95 and 3× p50, slowest first",
      walls: [...Array(38).fill(10_000), 40_000, 90_000],
      slow: ["refactor:f39.js", "refactor:f38.js"],
    },
  ])("$name", ({ walls, slow }) => {
    const { wallMs } = computeMetrics({ tasks: wallTasks(walls), steps: [] });
    expect(wallMs.slowOutliers.map((o) => o.taskId)).toEqual(slow);
  });

  it("reports p50/p95/max per role", () => {
    const { wallMs } = computeMetrics({ tasks: wallTasks([5, 1, 4, 2, 3]), steps: [] });
    expect(wallMs.byRole.refactor).toEqual({ count: 5, p50: 3, p95: 5, max: 5 });
  });
});

describe("steps: latency, retries, 429s", () => {
  const rl = { code: "rate-limited" as const, message: "429" };
  const steps: MetricStep[] = [
    step("refactor:a.js", { ok: false, error: rl, status: 429, latencyMs: 200 }),
    step("refactor:b.js", { latencyMs: 9000 }),
    step("refactor:a.js", { ok: false, error: { code: "server-error", message: "502" }, status: 502, latencyMs: 300 }),
    step("refactor:a.js", { latencyMs: 12_000 }),
    step("test:a.js", { kind: "test", ok: false, error: { code: "no-code-block", message: "x" }, latencyMs: 8000 }),
    step("test:a.js", { kind: "test", ok: false, error: { code: "truncated", message: "x" }, latencyMs: 20_000 }), // final failure
    step("refactor:c.js", { ok: false, error: rl, status: 429, latencyMs: 100 }),
    step("refactor:c.js", { ok: false, error: { code: "timeout", message: "x" }, latencyMs: 120_000 }), // final failure
    step("refactor:a.js", { kind: "repair", latencyMs: 5000 }),
  ];
  const metrics = computeMetrics({ tasks: [], steps });

  it("counts a failed step as a retry only when the task sent another request after it", () => {
    expect(metrics.retries).toEqual({ total: 4, byCause: { "rate-limited": 2, "server-error": 1, "no-code-block": 1 } });
    expect(metrics.failedSteps).toEqual({
      total: 6,
      byCause: { "rate-limited": 2, "server-error": 1, "no-code-block": 1, truncated: 1, timeout: 1 },
    });
  });

  it("counts 429s", () => {
    expect(metrics.rateLimited).toBe(2);
  });

  it("has latency overall and by kind", () => {
    expect(metrics.stepLatencyMs).toMatchObject({ count: 9, p50: 8000, p95: 120_000, max: 120_000 });
    expect(metrics.stepLatencyMs.byKind.repair).toEqual({ count: 1, p50: 5000, p95: 5000, max: 5000 });
    expect(metrics.stepLatencyMs.byKind.test).toEqual({ count: 2, p50: 8000, p95: 20_000, max: 20_000 });
  });
});

describe("edit answers (issue 15)", () => {
  it("rates SEARCH/REPLACE answers that did not apply among those that came back; whole-file and transport failures aside", () => {
    const edit = { format: "search-replace" as const };
    const m = computeMetrics({
      tasks: [],
      steps: [
        step("refactor:a.ts", { ...edit, ok: false, error: { code: "edit-failed", message: "x" } }),
        step("refactor:a.ts", edit),
        step("refactor:b.ts", edit),
        step("refactor:c.ts", { ...edit, ok: false, error: { code: "rate-limited", message: "x" }, status: 429 }),
        step("refactor:d.ts", { ok: false, error: { code: "no-code-block", message: "x" } }),
        step("refactor:e.ts"),
      ],
    });
    expect(m.editAnswers).toEqual({ applied: 2, failed: 1, rate: 1 / 3 });
    expect(summarizeMetrics(m).editAnswers).toEqual({ applied: 2, failed: 1, rate: 1 / 3 });
    expect(computeMetrics({ tasks: [], steps: [step("refactor:e.ts")] }).editAnswers.rate).toBeNull();
  });
});

describe("summarizeMetrics (what run.finished carries)", () => {
  it("keeps the figures and flags, and the worst few outliers with their count", () => {
    const tasks = [
      ...Array.from({ length: 20 }, (_, i) => task(`refactor:f${i}.js`)),
      ...Array.from({ length: 5 }, (_, i) => task(`refactor:big${i}.js`, { inputTokens: 10_000 + i * 1000, wallMs: 100_000 + i })),
      task("refactor:x.js", { status: "failed", attempts: 3 }),
      task("refactor:y.js", { status: "not-run", attempts: 0 }),
    ];
    const steps = [step("refactor:x.js", { ok: false, error: { code: "rate-limited", message: "429" }, status: 429 }), step("refactor:x.js")];
    const full = computeMetrics({ tasks, steps });
    const brief = summarizeMetrics(full, 2);
    expect(brief.completion).toEqual(full.completion);
    expect(brief.completion.isBelowTarget).toBe(true);
    expect(brief.wallMsByRole).toEqual(full.wallMs.byRole);
    expect(brief.tokensPerAgentByRole).toEqual(full.tokensPerAgent.byRole);
    expect(brief.tokenOutliers.count).toBe(5);
    expect(brief.tokenOutliers.top.map((o) => o.taskId)).toEqual(["refactor:big4.js", "refactor:big3.js"]);
    expect(brief.slowOutliers.count).toBe(full.wallMs.slowOutliers.length);
    expect(brief.slowOutliers.top.length).toBeLessThanOrEqual(2);
    expect(brief.retries).toEqual({ total: 1, byCause: { "rate-limited": 1 } });
    expect(brief.rateLimited).toBe(1);
    // JSON all the way: it travels as the last NDJSON line.
    expect(JSON.parse(JSON.stringify(brief))).toEqual(brief);
  });
});
