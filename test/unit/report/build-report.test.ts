import { describe, expect, it } from "vitest";
import type { StepRecord } from "../../../src/core/types.js";
import { buildReport, errorPct, summaryFromReport } from "../../../src/report/build-report.js";
import { plan, results, sampleInput, steps } from "./sample-input.js";

describe("buildReport", () => {
  const report = buildReport(sampleInput());

  it("sums tokens over steps (failed-but-answered included), not over results", () => {
    expect(report.tokens).toEqual({ input: 13_900, cachedInput: 6400, output: 15_588 });
    const fromResults = results.reduce((sum, r) => sum + r.inputTokens, 0);
    expect(fromResults).not.toBe(report.tokens.input); // the repair step has no result
    expect(report.cacheHitShare).toBeCloseTo(6400 / 13_900, 10);
  });

  it("has one task per planned task, in plan order, never with content", () => {
    expect(report.tasks.map((t) => t.id)).toEqual(plan.tasks.map((t) => t.id));
    expect(JSON.stringify(report)).not.toContain("new a");
    expect(JSON.stringify(report)).not.toContain("repaired c");
  });

  it("counts by role and status; a reverted task counts as failed", () => {
    expect(report.counts).toEqual({
      byRole: {
        refactor: { total: 4, succeeded: 1, failed: 2, notRun: 1 },
        test: { total: 4, succeeded: 2, failed: 0, notRun: 2 },
      },
      total: 8,
      succeeded: 3,
      failed: 2,
      notRun: 3,
    });
    const c = report.tasks.find((t) => t.id === "refactor:src/c.js")!;
    expect(c.status).toBe("failed");
    expect(c.error?.code).toBe("reverted");
    expect(c.error?.message).toContain("src/a.js:3 missing-export");
  });

  it("lists what is missing from the branch and why", () => {
    expect(report.missing.map((m) => [m.taskId, m.status, m.reason])).toEqual([
      ["refactor:src/b.js", "failed", "truncated"],
      ["refactor:src/c.js", "failed", "reverted"],
      ["refactor:src/d.js", "not-run", "budget"],
      ["test:src/b.js", "not-run", "dependency-failed"],
      ["test:src/d.js", "not-run", "budget"],
    ]);
    expect(report.missing[2].message).toBe("not started: the cost budget ran out");
    expect(report.missing[3].message).toBe("not started: prerequisite refactor:src/b.js failed");
  });

  it("fills tasks without a result from their steps", () => {
    const d = report.tasks.find((t) => t.id === "test:src/b.js")!;
    expect(d).toMatchObject({ status: "not-run", attempts: 0, inputTokens: 0, wallMs: 0, changed: null });
  });

  it("compares estimate and actual per step kind and in total", () => {
    const rows = Object.fromEntries(report.estimateVsActual!.map((r) => [r.role, r]));
    expect(Object.keys(rows)).toEqual(["refactor", "test", "repair", "total"]);
    expect(rows.refactor.actual).toEqual({ input: 8700, cachedInput: 4000, output: 13_388, costUSD: null });
    expect(rows.refactor.errorPct).toEqual({ input: 8.8, cachedInput: 0, output: 234.7, costUSD: null });
    expect(rows.test.errorPct).toEqual({ input: -52.5, cachedInput: -40, output: -57.5, costUSD: null });
    expect(rows.repair.estimated).toBeNull();
    expect(rows.repair.errorPct).toEqual({ input: null, cachedInput: null, output: null, costUSD: null });
    expect(rows.total.actual.costUSD).toBe(0.0625);
    expect(rows.total.errorPct.input).toBe(-13.1);
    expect(rows.total.errorPct.cachedInput).toBe(-20);
    expect(rows.total.errorPct.costUSD).toBeCloseTo(56.3, 0);
  });

  it("prices roles when given a per-step price", () => {
    const stepCostUSD = (s: StepRecord) => (s.usage.inputTokens + s.usage.outputTokens) / 1e6;
    const priced = buildReport(sampleInput({ stepCostUSD }));
    const refactor = priced.estimateVsActual!.find((r) => r.role === "refactor")!;
    expect(refactor.actual.costUSD).toBeCloseTo((8700 + 13_388) / 1e6, 12);
    expect(refactor.errorPct.costUSD).toBe(errorPct(0.02, (8700 + 13_388) / 1e6));
  });

  it("has no estimate table without an estimate", () => {
    const none = buildReport(sampleInput({ estimate: null }));
    expect(none.estimate).toBeNull();
    expect(none.estimateVsActual).toBeNull();
  });

  it("carries run facts and the resume hint only while incomplete", () => {
    expect(report).toMatchObject({
      schemaVersion: 1,
      startedAt: "2025-06-12T09:30:00.000Z",
      stoppedBy: "budget",
      budget: "cost",
      models: ["kimi-k2.6", "kimi-k2.5"],
      roles: ["refactor", "test"],
      resumeHint: "swarm resume 20250612-093000-7f3a /repo",
    });
    expect(report.skips).toHaveLength(2);
    expect(report.commits[1].files).toEqual(["src/a.test.js", "src/c.test.js"]);
    expect(report.validation?.reverts).toHaveLength(1);
    expect(report.metrics.retries.total).toBe(3); // the 429 and two truncations that were retried
    expect(report.metrics.rateLimited).toBe(1);

    const allDone = buildReport(
      sampleInput({
        stoppedBy: "completed",
        plan: { ...plan, tasks: plan.tasks.filter((t) => t.id === "refactor:src/a.js") },
        validation: null,
      }),
    );
    expect(allDone.counts.succeeded).toBe(1);
    expect(allDone.resumeHint).toBeNull();
    expect(allDone.budget).toBeNull();
  });

  it("gives not-run tasks the reason that stopped the run", () => {
    for (const [stoppedBy, code] of [
      ["interrupt", "interrupted"],
      ["abort", "aborted"],
      ["auth", "auth"],
    ] as const) {
      const r = buildReport(sampleInput({ stoppedBy }));
      expect(r.tasks.find((t) => t.id === "refactor:src/d.js")?.error?.code).toBe(code);
      expect(r.tasks.find((t) => t.id === "test:src/b.js")?.error?.code).toBe("dependency-failed");
    }
  });

  it("keeps the engine's own not-run reason", () => {
    const withReason = buildReport(
      sampleInput({
        results: [
          ...results,
          {
            ...results[0],
            id: "refactor:src/d.js",
            file: "src/d.js",
            output: "src/d.js",
            status: "not-run",
            attempts: 0,
            error: { code: "interrupted", message: "drained" },
          },
        ],
      }),
    );
    expect(withReason.tasks.find((t) => t.id === "refactor:src/d.js")?.error).toEqual({ code: "interrupted", message: "drained" });
  });

  it("is JSON-serialisable as is", () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("does not mutate its input", () => {
    const input = sampleInput();
    const before = JSON.stringify(input);
    buildReport(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(steps).toHaveLength(9);
  });
});

describe("errorPct", () => {
  it.each([
    [100, 110, 10],
    [100, 50, -50],
    [3, 4, 33.3],
    [0, 0, 0],
    [0, 5, null],
  ])("estimate %s, actual %s → %s", (est, act, expected) => {
    expect(errorPct(est, act)).toBe(expected);
  });
});

describe("summaryFromReport", () => {
  it("derives the RunSummary from the report", () => {
    const report = buildReport(sampleInput());
    const summary = summaryFromReport(report, { runDir: "/r/run", reportJson: "/r/run/report.json", reportMd: "/r/run/report.md" }, 1);
    expect(summary).toMatchObject({
      runId: report.runId,
      branch: report.branch,
      runDir: "/r/run",
      stoppedBy: "budget",
      budget: "cost",
      tokens: { inputTokens: 13_900, cachedInputTokens: 6400, outputTokens: 15_588 },
      costUSD: 0.0625,
      estimatedCostUSD: 0.04,
      durationMs: 245_000,
      exitCode: 1,
      resumeHint: report.resumeHint,
    });
    expect(summary.counts).toEqual(report.counts);
    expect(summary.failed.map((f) => [f.taskId, f.error.code])).toEqual([
      ["refactor:src/b.js", "truncated"],
      ["refactor:src/c.js", "reverted"],
    ]);
  });
});
