import { describe, expect, it } from "vitest";
import type { StepRecord } from "../../../src/core/types.js";
import { EventBus } from "../../../src/events/bus.js";
import { createRepairSession, priorSegments } from "../../../src/validate/repair.js";

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

describe("createRepairSession", () => {
  it("screens a repair answer against the output as it is now: emptying the file is rejected as a deletion", async () => {
    const current = Array.from({ length: 10 }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
    const task = { id: "test:a.ts", role: "test" as const, file: "a.ts", output: "a.test.ts", dependsOn: [], bytes: 5 };
    const session = createRepairSession({
      provider: { complete: async () => ({ text: "```ts\nexport {};\n```\n", finishReason: "stop", usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 }, latencyMs: 1 }), preflight: async () => {} },
      bus: new EventBus("run-r", () => 0),
      journal: { append: async () => {} },
      settings: { concurrency: 1, timeoutMs: 1000, retry: { attempts: 1, baseMs: 0, maxMs: 0 }, maxSteps: 100, maxCostUSD: null },
      costUSD: () => 0,
      drain: new AbortController().signal,
      abort: new AbortController().signal,
      random: () => 0.5,
      // The run's limits compare with the task's subject file, which a test answer never repeats.
      answerLimits: () => ({ source: "const x = 1;\n", maxAnswerBytes: 1_000_000, maxDeletionRatio: 0.6, allowDeletions: false }),
      requestFor: (_task, messages) => ({ request: { model: "m", messages, maxOutputTokens: 100 }, estimatedUSD: 0 }),
      spent: { steps: 0, costUSD: 0 },
    });
    const answers = await session.run([{ task, messages: [{ role: "user", content: "fix" }], current }]);
    expect(answers.get("test:a.ts")).toMatchObject({ status: "failed", error: { code: "unsafe-answer", message: expect.stringContaining("deletes 9 of 10 non-blank lines") } });
  });
});
