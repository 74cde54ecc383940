import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../src/config/validate.js";

describe("validateConfig", () => {
  it("fills every default from an empty object", () => {
    const r = validateConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.provider).toEqual({ baseURL: "https://api.moonshot.ai/v1", apiKeyEnv: "MOONSHOT_API_KEY", model: "kimi-k2.6", limits: {} });
    expect([r.config.timeoutMs, r.config.stallTimeoutMs]).toEqual([600_000, 30_000]);
    expect(r.config.concurrency).toBe(80);
    expect(r.config.roles).toEqual(["refactor", "test", "doc"]);
    expect(r.config.maxFileBytes).toBe(200_000);
    expect(Object.isFrozen(r.config)).toBe(true);
  });

  it.each([
    { raw: { retry: { attempts: -2 } }, error: "retry.attempts: Too small: expected number to be >=1, got -2" },
    { raw: { concurrency: 0 }, error: "concurrency: Too small: expected number to be >=1, got 0" },
    { raw: { roles: ["refactor", "lint"] }, error: 'roles.1: expected one of "refactor"|"test"|"doc", got "lint"' },
    { raw: { provider: { baseURL: "not a url" } }, error: 'provider.baseURL: Invalid URL, got "not a url"' },
    { raw: { concurency: 5 }, error: 'concurency: unknown key (did you mean "concurrency"?)' },
    { raw: { retry: { atempts: 5 } }, error: 'retry.atempts: unknown key (did you mean "retry.attempts"?)' },
    { raw: { maxCostUSD: "ten" }, error: 'maxCostUSD: expected number, received string, got "ten"' },
  ])("names the key: $error", ({ raw, error }) => {
    const r = validateConfig(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContain(error);
  });

  it("reports every bad key at once", () => {
    const r = validateConfig({ concurrency: -1, timeoutMs: "x", bogus: true });
    expect(r.ok ? [] : r.errors).toHaveLength(3);
  });

  it("accepts swarm.config.example.json, which documents every key", () => {
    const example = JSON.parse(readFileSync(new URL("../../../swarm.config.example.json", import.meta.url), "utf8"));
    const { $schema: _s, ...raw } = example;
    const r = validateConfig(raw);
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (!r.ok) return;
    const top = Object.keys(validateConfig({}).ok ? (validateConfig({}) as { config: object }).config : {});
    for (const key of top) expect(Object.keys(raw)).toContain(key);
  });
});

describe("swarm.config.schema.json", () => {
  it("is generated from config/schema.ts (regenerate: npx tsx -e 'import(\"./src/config/json-schema.ts\").then(m=>console.log(JSON.stringify(m.configJsonSchema(),null,2)))' > swarm.config.schema.json)", async () => {
    const { configJsonSchema } = await import("../../../src/config/json-schema.js");
    const committed = JSON.parse(readFileSync(new URL("../../../swarm.config.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(configJsonSchema());
  });
});
