import { afterAll, describe, expect, it } from "vitest";
import { countTokens } from "../../src/estimate/tokenizer.js";
import { preparePlan } from "../../src/prepare/index.js";
import { answerFormatOf } from "../../src/prepare/requests.js";
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

describe("files over maxFileBytes", () => {
  it("get an edit task up to maxEditFileBytes (context window permitting), not a skip; past it they are skipped", async () => {
    const big = moduleOf(60); // ~3.5 KB
    const repo = await gitRepo({
      "package.json": '{"name":"fit","type":"module"}',
      "src/big.ts": big,
      "src/huge.ts": moduleOf(200), // ~12 KB
      "src/small.ts": moduleOf(2),
      "swarm.config.json": JSON.stringify({ maxFileBytes: 1000, maxEditFileBytes: 8000, roles: ["refactor"] }),
    });
    expect(Buffer.byteLength(big)).toBeGreaterThan(1000);
    const prepared = await preparePlan({ repo: repo.dir, overrides: {}, needsInstruction: false, needsBaseline: false });
    expect(prepared.plan.tasks.map((t) => t.id).sort()).toEqual(["refactor:src/big.ts", "refactor:src/small.ts"]);
    expect(prepared.scan.skips).toContainEqual({ path: "src/huge.ts", reason: "too-large", detail: expect.stringMatching(/over maxEditFileBytes \(8000\)$/) });
    const bigTask = prepared.plan.tasks.find((t) => t.id === "refactor:src/big.ts")!;
    // Only edits: even after failed edit answers it never falls back to a whole-file answer.
    expect(answerFormatOf(prepared, bigTask)).toBe("search-replace");
    expect(answerFormatOf(prepared, bigTask, 5)).toBe("search-replace");
    expect(answerFormatOf(prepared, prepared.plan.tasks.find((t) => t.id === "refactor:src/small.ts")!)).toBe("whole");
  });

  it("are skipped at maxFileBytes when editFormat is whole", async () => {
    const repo = await gitRepo({
      "package.json": '{"name":"fit","type":"module"}',
      "src/big.ts": moduleOf(60),
      "src/small.ts": moduleOf(2),
      "swarm.config.json": JSON.stringify({ maxFileBytes: 1000, editFormat: "whole", roles: ["refactor"] }),
    });
    const prepared = await preparePlan({ repo: repo.dir, overrides: {}, needsInstruction: false, needsBaseline: false });
    expect(prepared.plan.tasks.map((t) => t.id)).toEqual(["refactor:src/small.ts"]);
    expect(prepared.scan.skips).toContainEqual({ path: "src/big.ts", reason: "too-large", detail: expect.stringMatching(/over maxFileBytes \(1000\)$/) });
  });
});

describe("a model's preferred answer format (models table)", () => {
  it("is what editFormat auto uses: whole until the model's max output, or always edits", async () => {
    const big = moduleOf(200); // past editThresholdTokens (2000), within a 32k max output
    expect(countTokens(big)).toBeGreaterThan(2000);
    const prepare = async (preference: object) => {
      const repo = await gitRepo({
        "package.json": '{"name":"fit","type":"module"}',
        "src/big.ts": big,
        "src/small.ts": moduleOf(2),
        "swarm.config.json": JSON.stringify({ roles: ["refactor"], models: { "kimi-k2.6": { maxOutputTokens: 32_000, ...preference } } }),
      });
      const prepared = await preparePlan({ repo: repo.dir, overrides: {}, needsInstruction: false, needsBaseline: false });
      return (id: string) => answerFormatOf(prepared, prepared.plan.tasks.find((t) => t.id === id)!);
    };
    const none = await prepare({});
    expect([none("refactor:src/big.ts"), none("refactor:src/small.ts")]).toEqual(["search-replace", "whole"]);
    const whole = await prepare({ editFormat: "whole" });
    expect([whole("refactor:src/big.ts"), whole("refactor:src/small.ts")]).toEqual(["whole", "whole"]);
    const edits = await prepare({ editFormat: "search-replace" });
    expect([edits("refactor:src/big.ts"), edits("refactor:src/small.ts")]).toEqual(["search-replace", "search-replace"]);
  });
});
