import { describe, expect, it } from "vitest";
import type { StepRecord } from "../../../src/core/types.js";
import { priorSegments } from "../../../src/validate/repair.js";

const step = (taskId: string, kind: StepRecord["kind"], attempt: number, final: boolean): StepRecord => ({
  taskId, kind, attempt, model: "m", ok: final, usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 }, latencyMs: 1, final,
});

describe("priorSegments", () => {
  it("cuts each task's journaled repair steps after every final one; other kinds are ignored", () => {
    const journal = [
      step("refactor:a", "refactor", 1, true),
      step("refactor:a", "repair", 1, false), // retried
      step("refactor:b", "repair", 1, true),
      step("refactor:a", "repair", 2, true), // round 1 of a decided on its second attempt
      step("refactor:a", "repair", 1, true), // round 2
      step("refactor:a", "repair", 1, false), // round 3, cut short by the stop
    ];
    const segments = priorSegments(journal);
    expect([...segments.keys()]).toEqual(["refactor:a", "refactor:b"]);
    expect(segments.get("refactor:a")!.map((s) => s.map((r) => [r.attempt, r.final]))).toEqual([
      [[1, false], [2, true]],
      [[1, true]],
      [[1, false]],
    ]);
    expect(segments.get("refactor:b")).toHaveLength(1);
  });
});
