import { afterAll, describe, expect, it } from "vitest";
import { countTokens } from "../../src/estimate/tokenizer.js";
import { preparePlan } from "../../src/prepare/index.js";
import { gitRepo, removeTempDirs } from "../support/git-repo.js";

afterAll(() => removeTempDirs());

/** A module of `n` small functions: about 25 tokens each. */
const moduleOf = (n: number) => Array.from({ length: n }, (_, i) => `export function f${i}(a: number): number {\n  return a * ${i} + 1;\n}\n`).join("");

describe("tasks that cannot fit their model", () => {
  it("are left out up front with their reason, dependents with them; the rest are planned", async () => {
    const big = moduleOf(200);
    const small = moduleOf(3);
    const repo = await gitRepo({
      "package.json": '{"name":"fit","type":"module"}',
      "src/big.ts": big,
      "src/small.ts": small,
      "swarm.config.json": JSON.stringify({ editFormat: "whole", models: { "kimi-k2.6": { maxOutputTokens: 2000 } } }),
    });
    // Independent of the product's own estimate: the big file alone is past the cap, the small one far below.
    expect(countTokens(big)).toBeGreaterThan(2000);
    expect(countTokens(small)).toBeLessThan(500);

    const { plan } = await preparePlan({ repo: repo.dir, overrides: {}, needsInstruction: false, needsBaseline: false });
    const dropped = new Map((plan.dropped ?? []).map((d) => [d.taskId, d.reason]));
    expect(dropped.get("refactor:src/big.ts")).toMatch(/^its answer \(~\d+ tokens\) is longer than kimi-k2\.6's max output \(2000 tokens\)$/);
    expect(dropped.get("test:src/big.ts")).toBeDefined();
    expect(dropped.get("doc:src/big.ts")).toBeDefined();
    expect(plan.tasks.map((t) => t.id).sort()).toEqual(["doc:src/small.ts", "refactor:src/small.ts", "test:src/small.ts"]);
  });

  it("keep a refactor that edits answer instead (editFormat auto); a new test file as large is left out", async () => {
    const repo = await gitRepo({
      "package.json": '{"name":"fit","type":"module"}',
      "src/big.ts": moduleOf(200),
      "swarm.config.json": JSON.stringify({ editFormat: "auto", models: { "kimi-k2.6": { maxOutputTokens: 2000 } } }),
    });
    const { plan } = await preparePlan({ repo: repo.dir, overrides: {}, needsInstruction: false, needsBaseline: false });
    const dropped = new Map((plan.dropped ?? []).map((d) => [d.taskId, d.reason]));
    expect(plan.tasks.map((t) => t.id)).toContain("refactor:src/big.ts");
    expect(dropped.get("test:src/big.ts")).toMatch(/max output \(2000 tokens\)/);
  });
});
