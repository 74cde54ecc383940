import { describe, expect, it } from "vitest";
import { configSchema, type ResolvedConfig } from "../../../src/config/schema.js";
import { DEFAULT_MAX_OUTPUT_TOKENS, modelFor } from "../../../src/estimate/routing.js";

const config = (input: unknown = {}): ResolvedConfig => configSchema.parse(input);

describe("modelFor", () => {
  it("falls back to provider.model and the per-kind defaults", () => {
    const c = config({ provider: { model: "kimi-k2.6" } });
    expect(modelFor(c, "refactor", 1000)).toEqual({ model: "kimi-k2.6", maxOutputTokens: 16_384 });
    expect(modelFor(c, "test", 1000)).toEqual({ model: "kimi-k2.6", maxOutputTokens: 8_192 });
    expect(modelFor(c, "doc", 1000)).toEqual({ model: "kimi-k2.6", maxOutputTokens: 4_096 });
    expect(modelFor(c, "repair", 1000)).toEqual({ model: "kimi-k2.6", maxOutputTokens: 16_384 });
    expect(DEFAULT_MAX_OUTPUT_TOKENS).toEqual({ refactor: 16_384, test: 8_192, doc: 4_096, repair: 16_384 });
  });

  it("uses the role's model, limit and thinking switch", () => {
    const c = config({ routing: { doc: { model: "gpt-4.1-mini", maxOutputTokens: 2000, thinking: false } } });
    expect(modelFor(c, "doc", 1000)).toEqual({ model: "gpt-4.1-mini", maxOutputTokens: 2000, thinking: false });
    expect(modelFor(c, "refactor", 1000).model).toBe("kimi-k2.6");
    expect(modelFor(c, "refactor", 1000)).not.toHaveProperty("thinking");
  });

  it.each([
    [999, "gpt-4o-mini"],
    [1000, "kimi-k2.5"],
    [50_000, "kimi-k2.5"],
  ])("lightModel below lightMaxBytes: %i bytes → %s", (bytes, model) => {
    const c = config({ routing: { test: { model: "kimi-k2.5", lightModel: "gpt-4o-mini", lightMaxBytes: 1000 } } });
    expect(modelFor(c, "test", bytes).model).toBe(model);
  });

  it("ignores lightModel without lightMaxBytes", () => {
    const c = config({ routing: { test: { lightModel: "gpt-4o-mini" } } });
    expect(modelFor(c, "test", 1).model).toBe("kimi-k2.6");
  });

  it("raises the default limit of whole-file answers to fit large files", () => {
    const c = config();
    // 90 kB at 3 bytes/token × 1.3 = 39 000 tokens
    expect(modelFor(c, "refactor", 90_000).maxOutputTokens).toBe(39_000);
    expect(modelFor(c, "repair", 90_000).maxOutputTokens).toBe(39_000);
    expect(modelFor(c, "test", 90_000).maxOutputTokens).toBe(8_192);
    expect(modelFor(c, "doc", 90_000).maxOutputTokens).toBe(4_096);
  });

  it("keeps the raised default within the model's max output", () => {
    const c = config({ models: { "kimi-k2.6": { maxOutputTokens: 20_000 } } });
    expect(modelFor(c, "refactor", 90_000).maxOutputTokens).toBe(20_000);
    expect(modelFor(c, "refactor", 1000).maxOutputTokens).toBe(16_384);
    expect(modelFor(config({ routing: { refactor: { model: "deepseek-chat" } } }), "refactor", 90_000).maxOutputTokens).toBe(8192);
  });

  it("keeps an explicit limit even for large files", () => {
    const c = config({ routing: { refactor: { maxOutputTokens: 8000 } } });
    expect(modelFor(c, "refactor", 90_000).maxOutputTokens).toBe(8000);
  });
});
