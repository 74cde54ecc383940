import { describe, expect, it } from "vitest";
import type { Task, TaskResult } from "../../../src/core/types.js";
import { buildImportGraph } from "../../../src/graph/build-graph.js";
import { importMap, refactorContext } from "../../../src/prompt/prompt-context.js";

const graph = buildImportGraph(new Map(Object.entries({
  "src/a.ts": 'import { b } from "./b.js";\nimport { c } from "./deep/c.js";\nexport const a = b + c;\n',
  "src/b.ts": "export const b = 1;\nfunction hidden() {}\n",
  "src/deep/c.ts": "export function c(x: number): number { return x * 2; }\n",
  "src/none.ts": 'import "./b.js";\n',
  "src/lonely.ts": "export const z = 0;\n",
})));
const countTokens = (t: string) => Math.ceil(t.length / 4);
const task = (file: string, role: Task["role"] = "refactor", dependsOn: string[] = []): Task => ({ id: `${role}:${file}`, role, file, output: file, dependsOn, bytes: 1 });
const done = (file: string, content: string): [string, TaskResult] => [
  `refactor:${file}`,
  { id: `refactor:${file}`, role: "refactor", file, output: file, status: "succeeded", attempts: 1, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, latencyMs: 0, wallMs: 0, content, changed: true },
];

describe("refactorContext", () => {
  it("lists the direct imports' signatures, nearest folder first, one fenced block each, no bodies", () => {
    const text = refactorContext(task("src/a.ts"), graph, new Map(), { maxTokens: 1000, countTokens });
    expect(text).toBe("src/b.ts:\n```ts\nexport const b = 1;\n```\n\nsrc/deep/c.ts:\n```ts\nexport function c(x: number): number;\n```");
  });

  it("is undefined for other roles, without a graph, with a zero budget, or with nothing to show", () => {
    expect(refactorContext(task("src/a.ts", "test"), graph, new Map(), { maxTokens: 1000, countTokens })).toBeUndefined();
    expect(refactorContext(task("src/a.ts"), null, new Map(), { maxTokens: 1000, countTokens })).toBeUndefined();
    expect(refactorContext(task("src/a.ts"), graph, new Map(), { maxTokens: 0, countTokens })).toBeUndefined();
    expect(refactorContext(task("src/lonely.ts"), graph, new Map(), { maxTokens: 1000, countTokens })).toBeUndefined();
  });

  it("skips blocks that do not fit and keeps smaller ones after them", () => {
    const text = refactorContext(task("src/a.ts"), graph, new Map(), { maxTokens: 14, countTokens })!;
    expect(text).toBe("src/b.ts:\n```ts\nexport const b = 1;\n```");
  });

  it("shows an awaited import as its refactor left it, and other imports as HEAD has them", () => {
    const results = new Map([done("src/b.ts", "export const b = 1;\nexport const bb = 2;\n"), done("src/deep/c.ts", "export const c2 = 3;\n")]);
    const text = refactorContext(task("src/a.ts", "refactor", ["refactor:src/b.ts"]), graph, results, { maxTokens: 1000, countTokens })!;
    expect(text).toContain("export const bb = 2;");
    expect(text).toContain("export function c(x: number): number;");
    expect(text).not.toContain("c2");
  });

  it("importMap gives each file its direct internal imports", () => {
    expect(importMap(graph, ["src/a.ts", "src/b.ts", "src/none.ts"])).toEqual(new Map([["src/a.ts", ["src/b.ts", "src/deep/c.ts"]], ["src/none.ts", ["src/b.ts"]]]));
  });
});
