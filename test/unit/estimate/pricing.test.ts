import { describe, expect, it } from "vitest";
import { SwarmError } from "../../../src/core/errors.js";
import { BUILT_IN_PRICES, costOf, loadPricing } from "../../../src/estimate/pricing.js";

describe("pricing table", () => {
  it("has the default model and records where every figure came from", () => {
    expect(BUILT_IN_PRICES["kimi-k2.6"]).toMatchObject({ inputPerMTok: 0.95, cachedInputPerMTok: 0.16, outputPerMTok: 4 });
    for (const [model, entry] of Object.entries(BUILT_IN_PRICES)) {
      expect(entry.source, model).toMatch(/\S/);
      expect(entry.asOf, model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(typeof entry.confirmed, model).toBe("boolean");
      expect(entry.cachedInputPerMTok, model).toBeLessThanOrEqual(entry.inputPerMTok);
    }
  });
});

describe("loadPricing", () => {
  it("looks up built-in models", () => {
    const pricing = loadPricing();
    expect(pricing.priceOf("gpt-4.1-mini")).toMatchObject({ inputPerMTok: 0.4, outputPerMTok: 1.6, minCacheTokens: 1024 });
  });

  it("adds models from config", () => {
    const pricing = loadPricing({ "my-model": { inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 } });
    expect(pricing.priceOf("my-model")).toMatchObject({ inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2, source: "config" });
  });

  it("lays config over a built-in entry field by field", () => {
    const pricing = loadPricing({ "gpt-4.1": { inputPerMTok: 1.5, cachedInputPerMTok: 0.3, outputPerMTok: 6 } });
    expect(pricing.priceOf("gpt-4.1")).toMatchObject({
      inputPerMTok: 1.5,
      cachedInputPerMTok: 0.3,
      outputPerMTok: 6,
      minCacheTokens: 1024,
      source: "config",
    });
    // The built-in table itself is untouched.
    expect(BUILT_IN_PRICES["gpt-4.1"].inputPerMTok).toBe(2);
    expect(loadPricing().priceOf("gpt-4.1").inputPerMTok).toBe(2);
  });

  it("throws a usage error naming the model and the config key for an unknown model", () => {
    const pricing = loadPricing();
    let caught: unknown;
    try {
      pricing.priceOf("mystery-9");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SwarmError);
    const error = caught as SwarmError;
    expect(error.code).toBe("SWARM_USAGE");
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('"mystery-9"');
    expect(error.message).toContain("kimi-k2.6");
    expect(error.hint).toContain('"pricing": { "mystery-9"');
    expect(() => pricing.costUSD("mystery-9", { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 })).toThrow(SwarmError);
  });

  it("does not find inherited properties", () => {
    expect(() => loadPricing().priceOf("constructor")).toThrow(SwarmError);
    expect(() => loadPricing().priceOf("__proto__")).toThrow(SwarmError);
  });
});

describe("costUSD", () => {
  const price = { inputPerMTok: 1, cachedInputPerMTok: 0.25, outputPerMTok: 4 };

  it("bills uncached input, cached input and output at their own rates", () => {
    // 1M input of which 400k cached: 600k × $1 + 400k × $0.25 + 500k × $4 = 0.6 + 0.1 + 2
    expect(costOf(price, { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 500_000 })).toBeCloseTo(2.7, 10);
  });

  it("clamps cached above input", () => {
    expect(costOf(price, { inputTokens: 100, cachedInputTokens: 500, outputTokens: 0 })).toBeCloseTo(100 * 0.25e-6, 12);
  });

  it("uses the model's price through the loaded table", () => {
    const pricing = loadPricing();
    expect(pricing.costUSD("kimi-k2.6", { inputTokens: 2_000_000, cachedInputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(
      0.95 + 0.16 + 4,
      10,
    );
    expect(pricing.costUSD("kimi-k2.6", { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 })).toBe(0);
  });
});
