import { describe, expect, it } from "vitest";
import { buildImportGraph } from "../../../src/graph/index.js";
import { expandCommand, failedTestFiles, parseGateOutput } from "../../../src/validate/gate-output.js";
import { countTestCases, publicApiProblems, publicEntryPoints, suppressionProblems } from "../../../src/validate/guards.js";

const known = (p: string) => ["src/a.ts", "src/b.ts"].includes(p);

describe("gate output", () => {
  it("reads tsc, path:line:col and eslint stylish output; only repository paths count", () => {
    const out = [
      "src/a.ts(3,5): error TS2554: Expected 2 arguments, but got 1.",
      "/tmp/wt/src/b.ts:7:1: Unexpected console statement",
      "/tmp/wt/src/a.ts",
      "  12:3  error  'x' is assigned a value but never used  no-unused-vars",
      "  13:3  warning  something  some-rule",
      "node_modules/x/index.d.ts(1,1): error TS1000: elsewhere",
    ].join("\n");
    expect(parseGateOutput(out, "lint", "/tmp/wt", known)).toEqual([
      { file: "src/a.ts", line: 3, code: "lint:ts2554", message: "Expected 2 arguments, but got 1." },
      { file: "src/b.ts", line: 7, code: "lint", message: "Unexpected console statement" },
      { file: "src/a.ts", line: 12, code: "lint", message: "'x' is assigned a value but never used (no-unused-vars)" },
    ]);
  });

  it("quotes paths into {files}/{tests} and skips a command whose list is empty", () => {
    expect(expandCommand("npx eslint {files}", { files: ["src/a b.ts", "src/c.ts"], tests: [] })).toBe("npx eslint 'src/a b.ts' src/c.ts");
    expect(expandCommand("npx vitest run {tests}", { files: ["src/a.ts"], tests: [] })).toBeNull();
  });

  it("names the failed test files a runner prints", () => {
    const out = " FAIL  test/a.test.ts > adds\n ✓ test/b.test.ts (2)\nnot ok 3 - test/c.test.js";
    expect(failedTestFiles(out, ["test/a.test.ts", "test/b.test.ts", "test/c.test.js"])).toEqual(["test/a.test.ts", "test/c.test.js"]);
  });
});

describe("guards", () => {
  it("flags suppressions only on added lines, and skipped tests only in tests", () => {
    const before = "// @ts-ignore\nconst a = 1;\n";
    expect(suppressionProblems("src/x.ts", before, before)).toEqual([]);
    const after = "// @ts-ignore\nconst a = 1;\nconst b = a as any;\n";
    expect(suppressionProblems("src/x.ts", before, after).map((p) => [p.line, p.code])).toEqual([[3, "gate-suppressed"]]);
    expect(suppressionProblems("src/x.ts", "", "const skip = it.skip;\n")).toEqual([]);
    expect(suppressionProblems("src/x.test.ts", "", 'it.skip("a", () => {});\n')).toHaveLength(1);
  });

  it("counts test cases and flags a test that lost more than half", () => {
    const three = 'it("a", f);\ntest("b", f);\nit.each([1])("c %s", f);\n';
    expect(countTestCases(three)).toBe(3);
    expect(suppressionProblems("a.test.ts", three, 'it("a", f);\n').map((p) => p.code)).toEqual(["test-cases-lost"]);
    expect(suppressionProblems("a.test.ts", three, 'it("a", f);\ntest("b", f);\n')).toEqual([]);
  });

  it("finds package entry points behind built paths and flags a lost or re-kinded export", () => {
    const files = new Map([
      ["package.json", JSON.stringify({ main: "./dist/index.js", exports: { "./testing": { import: "./src/testing.ts" } } })],
      ["src/index.ts", "export class Client {}\nexport function make() {}\n"],
      ["src/testing.ts", "export const t = 1;\n"],
    ]);
    expect([...publicEntryPoints(files)].sort()).toEqual(["src/index.ts", "src/testing.ts"]);
    const after = new Map(files).set("src/index.ts", "export interface Client {}\n");
    const problems = publicApiProblems({
      before: buildImportGraph(files),
      after: buildImportGraph(after),
      filesBefore: files,
      filesAfter: after,
      entries: publicEntryPoints(files),
      changed: new Set(["src/index.ts"]),
    });
    expect(problems.map((p) => p.message)).toEqual([
      'public entry point src/index.ts no longer exports "make" (validate.publicApi is "keep")',
      'public entry point src/index.ts changed the kind of export "Client" from both to type (validate.publicApi is "keep")',
    ]);
  });
});
