import { describe, expect, it } from "vitest";
import { fitOf, loadModelLimits } from "../../../src/estimate/model-limits.js";
import models from "../../../src/estimate/models.json" with { type: "json" };

describe("model limits", () => {
  it("ships a sourced entry for the default model and a few common ones", () => {
    for (const name of ["kimi-k2.6", "gpt-4.1", "gpt-4o-mini", "deepseek-chat", "claude-sonnet-4-5"]) {
      const entry = (models as Record<string, { contextWindow: number; maxOutputTokens: number; source: string }>)[name];
      expect(entry.source).toMatch(/https:\/\//);
      expect(entry.maxOutputTokens).toBeLessThan(entry.contextWindow);
    }
    expect(loadModelLimits()("kimi-k2.6")).toEqual({ contextWindow: 262_144, maxOutputTokens: 65_536 });
  });

  it("lays config over the table field by field; a model in neither has no limits", () => {
    const limitsOf = loadModelLimits({ "kimi-k2.6": { maxOutputTokens: 8000 }, "my-model": { contextWindow: 32_000, maxOutputTokens: 4000 }, "half-known": { contextWindow: 9000 } });
    expect(limitsOf("kimi-k2.6")).toEqual({ contextWindow: 262_144, maxOutputTokens: 8000 });
    expect(limitsOf("my-model")).toEqual({ contextWindow: 32_000, maxOutputTokens: 4000 });
    expect(limitsOf("half-known")).toBeNull();
    expect(limitsOf("unknown")).toBeNull();
    expect(limitsOf("constructor")).toBeNull();
    // Each config's table is laid once and kept per config: one config's overrides never reach another's.
    expect(loadModelLimits({ "kimi-k2.6": { maxOutputTokens: 8000 } })).not.toBe(limitsOf);
    expect(loadModelLimits()("kimi-k2.6")).toEqual({ contextWindow: 262_144, maxOutputTokens: 65_536 });
  });

  it("says which limit a request breaks", () => {
    const limits = { contextWindow: 10_000, maxOutputTokens: 4000 };
    expect(fitOf("m", limits, { promptTokens: 5000, answerTokens: 4000 })).toEqual({ fits: true });
    expect(fitOf("m", limits, { promptTokens: 100, answerTokens: 4001 })).toEqual({
      fits: false,
      limit: "max-output",
      reason: "its answer (~4001 tokens) is longer than m's max output (4000 tokens)",
    });
    expect(fitOf("m", limits, { promptTokens: 6001, answerTokens: 4000 })).toMatchObject({ fits: false, limit: "context" });
    expect(fitOf("m", null, { promptTokens: 1e9, answerTokens: 1e9 })).toEqual({ fits: true });
  });
});
