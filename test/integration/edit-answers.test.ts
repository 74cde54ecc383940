import { readFile } from "node:fs/promises";
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRun } from "../../src/prepare/index.js";
import type { Report } from "../../src/report/types.js";
import { gitRepo, removeTempDirs, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer, type ParsedRequest, type RequestLog } from "../support/loopback-server.js";
import { runMain, type MainResult } from "../support/main-in-process.js";

// Issue 15: large files are answered with SEARCH/REPLACE edits, small ones whole; edits that do not apply are
// retried with the reason, and fall back to a whole-file answer after two failures.

/** `n` functions of five lines each; `return x + 1;` repeats in every one, so a bare SEARCH for it is ambiguous. */
const moduleOf = (n: number) => Array.from({ length: n }, (_, i) => `export function f${i}(a: number): number {\n  const x = a * ${i};\n  return x + 1;\n}\n`).join("\n");
/** Five places changed: what the server's model "wants" the big file to become. */
const CHANGED = [10, 150, 300, 450, 590];
const changed = (source: string) => CHANGED.reduce((text, i) => text.replace(`  const x = a * ${i};\n  return x + 1;`, `  const x = a * ${i};\n  return x + 2;`), source);

const BIG = moduleOf(600);
const MEDIUM = moduleOf(120);
const SMALL = moduleOf(3);
const INSTRUCTION = "Return x + 2 where the model sees fit.";

let server: LoopbackServer;
let repo: TempRepo;
let cli: MainResult;
let report: Report;

/** The product sends plain string contents. */
const messageText = (message: { content?: unknown }) => String(message.content);
const sentFor = (file: string) => server.requests.filter((r) => r.file === file && r.role === "refactor");
const asksForEdits = (r: RequestLog) => messageText(r.messages[0]).includes("\n<<<<<<< SEARCH\n");
const onBranch = (path: string) => repo.git("show", `${report.branch}:${path}`);

beforeAll(async () => {
  server = await startLoopbackServer({
    answer: (req) => (req.role === "refactor" && req.file === "src/big.ts" ? changed(req.source ?? "") : undefined),
    editAnswer: (req: ParsedRequest) => {
      if (req.file === "src/drift.ts") return "whitespace";
      if (req.file === "src/ambiguous.ts") return "ambiguous";
      if (req.file === "src/other.ts" && req.nth === 1) return "other-path";
      if (req.file === "src/missing.ts" && req.nth === 1) return "missing-search";
      return "exact";
    },
  });
  repo = await gitRepo({
    "package.json": '{"name":"edits","type":"module"}',
    "src/big.ts": BIG,
    "src/small.ts": SMALL,
    "src/drift.ts": MEDIUM,
    "src/ambiguous.ts": MEDIUM,
    "src/other.ts": MEDIUM,
    "src/missing.ts": MEDIUM,
    "swarm.config.json": JSON.stringify({ roles: ["refactor"], validate: { enabled: false }, retry: { baseMs: 0, maxMs: 0 } }),
  });
  cli = await runMain(["run", repo.dir, "-i", INSTRUCTION, "--base-url", server.url]);
  const reportPath = /(\S+report\.json)/.exec(cli.stdout)?.[1];
  report = JSON.parse(await readFile(reportPath!, "utf8")) as Report;
}, 120_000);
afterAll(async () => {
  await server?.close();
  await repo?.cleanup();
  await removeTempDirs();
});

describe("edit answers (editFormat auto)", () => {
  it("a 3,000-line file changed in five places costs at most 10% of its tokens in output, and lands as the model meant", async () => {
    expect(BIG.split("\n").length).toBeGreaterThanOrEqual(3000);
    const [request, ...more] = sentFor("src/big.ts");
    expect(more).toEqual([]);
    expect(asksForEdits(request)).toBe(true);
    expect(request.content).toContain("<<<<<<< SEARCH");
    const output = request.usage!.completion_tokens;
    console.log(`edit answer: ${output} output tokens for a file of ${countTokens(BIG)} tokens (${((output / countTokens(BIG)) * 100).toFixed(1)}%)`);
    expect(output).toBeLessThanOrEqual(0.1 * countTokens(BIG));
    expect(await onBranch("src/big.ts")).toBe(changed(BIG).replace(/\n$/, ""));
    expect(report.tasks.find((t) => t.id === "refactor:src/big.ts")?.format).toBe("search-replace");
  });

  it("the estimate prices the edit task's output at the stated edit ratio, not the whole file", async () => {
    const prepared = await prepareRun({ repo: repo.dir, overrides: { instruction: INSTRUCTION }, needsInstruction: true });
    const big = prepared.estimate.perTaskUncalibrated!["refactor:src/big.ts"].usage.outputTokens;
    const small = prepared.estimate.perTaskUncalibrated!["refactor:src/small.ts"].usage.outputTokens;
    expect(big).toBeLessThan(0.15 * countTokens(BIG) + 200);
    expect(small).toBeGreaterThanOrEqual(countTokens(SMALL) * 0.9);
    expect(prepared.estimate.assumptions.join("\n")).toMatch(/5 tasks answered with SEARCH\/REPLACE edits \(editFormat\): output assumed 10% of the file \+ 200 tokens/);
  });

  it("a small file still goes whole", () => {
    const [request] = sentFor("src/small.ts");
    expect(asksForEdits(request)).toBe(false);
    expect(request.content).not.toContain("<<<<<<< SEARCH");
    expect(report.tasks.find((t) => t.id === "refactor:src/small.ts")).toMatchObject({ status: "succeeded" });
    expect(report.tasks.find((t) => t.id === "refactor:src/small.ts")?.format).toBeUndefined();
  });

  it("applies blocks whose whitespace drifted (trailing spaces, indentation)", async () => {
    expect(sentFor("src/drift.ts")).toHaveLength(1);
    expect(await onBranch("src/drift.ts")).toBe(`// refactored by loopback\n${MEDIUM}`.replace(/\n$/, ""));
  });

  it("retries a block for another path and a missing SEARCH with the reason, then applies the next answer", async () => {
    for (const [file, reason] of [
      ["src/other.ts", "names other/src/other.ts; only src/other.ts may be edited"],
      ["src/missing.ts", 'without a "<<<<<<< SEARCH" line'],
    ] as const) {
      const sent = sentFor(file);
      expect(sent, file).toHaveLength(2);
      expect(asksForEdits(sent[1])).toBe(true);
      expect(messageText(sent[1].messages.at(-1)!)).toContain(reason);
      expect(await onBranch(file)).toBe(`// refactored by loopback\n${MEDIUM}`.replace(/\n$/, ""));
    }
  });

  it("falls back to a whole-file answer after two ambiguous edit answers, naming the lines and showing the file", async () => {
    const sent = sentFor("src/ambiguous.ts");
    expect(sent.map(asksForEdits)).toEqual([true, true, false]);
    const note = messageText(sent[1].messages.at(-1)!);
    expect(note).toMatch(/SEARCH matches \d+ places \(lines \d+, \d+/);
    expect(note).toMatch(/Nearest lines of the file/);
    expect(await onBranch("src/ambiguous.ts")).toBe(`// refactored by loopback\n${MEDIUM}`.replace(/\n$/, ""));
    const task = report.tasks.find((t) => t.id === "refactor:src/ambiguous.ts");
    expect(task).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(task?.format).toBeUndefined();
  });
});

describe("a test task updating a large existing test", () => {
  // hono's src/middleware/cache/index.test.ts (~8k tokens) was cut at max_tokens when its update was asked for whole.
  const cases = Array.from({ length: 250 }, (_, i) => `test("f${i % 3} case ${i}", () => {\n  assert.equal(f${i % 3}(${i}), ${i * (i % 3)} + 1);\n});\n`).join("\n");
  const EXISTING = `import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { f0, f1, f2 } from "./small.ts";\n\n${cases}`;

  it("answers with edits to the existing test, at a fraction of its tokens; a new test is still written whole", async () => {
    const own = await startLoopbackServer({});
    const testRepo = await gitRepo({
      "package.json": '{"name":"edits","type":"module"}',
      "src/small.ts": SMALL,
      "src/small.test.ts": EXISTING,
      "src/fresh.ts": SMALL,
      "swarm.config.json": JSON.stringify({ roles: ["test"], validate: { enabled: false }, retry: { baseMs: 0, maxMs: 0 } }),
    });
    try {
      // Priced on the existing test it edits (~6k tokens), not on the 3-function source.
      const prepared = await prepareRun({ repo: testRepo.dir, overrides: { instruction: INSTRUCTION }, needsInstruction: true });
      const priced = prepared.estimate.perTaskUncalibrated!["test:src/small.ts"]!.usage.outputTokens;
      expect(priced).toBeGreaterThan(0.08 * countTokens(EXISTING) + 200);
      expect(priced).toBeLessThan(0.12 * countTokens(EXISTING) + 200);
      const result = await runMain(["run", testRepo.dir, "-i", INSTRUCTION, "--base-url", own.url]);
      expect(result.code).toBe(0);
      const [update, ...again] = own.requests.filter((r) => r.file === "src/small.ts" && r.role === "test");
      expect(again).toEqual([]);
      expect(asksForEdits(update)).toBe(true);
      expect(update.usage!.completion_tokens).toBeLessThanOrEqual(0.1 * countTokens(EXISTING));
      expect(own.requests.filter((r) => r.file === "src/fresh.ts").map(asksForEdits)).toEqual([false]);
      const branch = /branch: (\S+)/.exec(result.stdout)![1]!;
      expect(await testRepo.git("show", `${branch}:src/small.test.ts`)).toBe(`// test for src/small.ts\n${EXISTING}`.replace(/\n$/, ""));
      // validate.enabled is false: no validating phase is announced.
      expect(result.stdout).toMatch(/^phase: committing/m);
      expect(result.stdout).not.toMatch(/^phase: validating/m);
    } finally {
      await own.close();
      await testRepo.cleanup();
    }
  }, 60_000);
});
