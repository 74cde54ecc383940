import { describe, expect, it } from "vitest";
import { buildImportGraph, updateGraph } from "../../../src/graph/build-graph.js";
import type { ImportGraph } from "../../../src/graph/types.js";
import {
  attachTargets,
  blameProblems,
  chainOfName,
  changedScope,
  exportsName,
  findProblems,
  introducedProblems,
  newProblems,
  problemKey,
} from "../../../src/validate/checks.js";
import type { ImportProblem } from "../../../src/validate/types.js";

const graphOf = (entries: Record<string, string>) => buildImportGraph(new Map(Object.entries(entries)));
const brief = (p: ImportProblem) => `${p.file}:${p.line} ${p.code}${p.name !== undefined ? ` ${p.name}` : ""}`;
const problemsOf = (entries: Record<string, string>) => findProblems(graphOf(entries)).map(brief);

describe("findProblems", () => {
  const cases: { name: string; tree: Record<string, string>; expected: string[] }[] = [
    {
      name: "unresolved relative specifier",
      tree: { "src/a.ts": `import { b } from "./b.js";\nimport { c } from "./c.js";`, "src/b.ts": "export const b = 1;" },
      expected: ["src/a.ts:2 unresolved-import"],
    },
    {
      name: "named import the target does not export",
      tree: { "a.ts": `import { b, gone } from "./b.js";`, "b.ts": "export const b = 1;" },
      expected: ["a.ts:1 missing-export gone"],
    },
    {
      name: "type-only import of a missing type",
      tree: { "a.ts": `import type { T } from "./b.js";`, "b.ts": "export type U = 1;" },
      expected: ["a.ts:1 missing-export T"],
    },
    {
      name: "re-export of a name the target does not export",
      tree: { "index.ts": `export { a, b } from "./a.js";`, "a.ts": "export const a = 1;" },
      expected: ["index.ts:1 missing-export b"],
    },
    {
      name: "default import of a module without a default export",
      tree: { "a.ts": `import Cache from "./cache.js";`, "cache.ts": "export class Cache {}" },
      expected: ["a.ts:1 missing-default default"],
    },
    {
      name: "re-exported default that is gone",
      tree: { "index.ts": `export { default as Cache } from "./cache.js";`, "cache.ts": "export class Cache {}" },
      expected: ["index.ts:1 missing-default default"],
    },
    {
      name: "require-destructuring of a name the CommonJS module does not assign",
      tree: {
        "app.js": `const { list, create } = require("./users");\nconst { sign } = require("./auth");`,
        "users.js": "module.exports = { list };",
        "auth.js": "exports.sign = () => {};",
      },
      expected: ["app.js:1 missing-export create"],
    },
    {
      name: "member use of a required CommonJS module",
      tree: { "app.js": `const users = require("./users");\nusers.list();\nusers.remove();`, "users.js": "module.exports = { list };" },
      expected: ["app.js:1 missing-export remove"],
    },
    {
      name: "names reached through export * chains, and a chain that lacks one",
      tree: {
        "app.ts": `import { a, deep, nowhere } from "./index.js";`,
        "index.ts": `export * from "./a.js";\nexport * from "./more.js";`,
        "a.ts": "export const a = 1;",
        "more.ts": `export * from "./deep.js";`,
        "deep.ts": "export const deep = 1;",
      },
      expected: ["app.ts:1 missing-export nowhere"],
    },
    {
      name: "an export * cycle terminates",
      tree: { "app.ts": `import { x } from "./a.js";`, "a.ts": `export * from "./b.js";`, "b.ts": `export * from "./a.js";` },
      expected: ["app.ts:1 missing-export x"],
    },
    {
      name: "nothing is claimed about modules whose exports cannot be listed",
      tree: {
        "app.js": `const { anything } = require("./fn");\nconst { other } = require("./spread");\nimport x from "./data.json";\nconst { y } = require("./star");`,
        "fn.js": "module.exports = function make() {};",
        "spread.js": "module.exports = { ...base };",
        "data.json": "{}",
        "star.js": `module.exports = require("lodash");`,
      },
      expected: [],
    },
    {
      name: "default import of CommonJS is module.exports itself",
      tree: { "a.ts": `import users from "./users.js";`, "users.js": "exports.list = 1;" },
      expected: [],
    },
    {
      name: "member uses of an ES module are not judged (they may be type-level or dynamic)",
      tree: { "a.js": `const m = await import("./m.js");\nm.whatever();`, "m.js": "export const x = 1;" },
      expected: [],
    },
    {
      name: "undeclared package, builtins and declared packages",
      tree: {
        "package.json": JSON.stringify({ dependencies: { express: "4" } }),
        "app.js": `const express = require("express");\nconst fs = require("node:fs");\nconst pad = require("left-pad");`,
      },
      expected: ["app.js:3 unknown-package left-pad"],
    },
    {
      name: "syntax error",
      tree: { "a.ts": "export const = 1;" },
      expected: ["a.ts:1 syntax-error"],
    },
    {
      name: "imports of a file with a syntax error are not judged",
      tree: { "a.ts": `import { x } from "./b.js";`, "b.ts": "export const = ;" },
      expected: ["b.ts:1 syntax-error"],
    },
  ];
  for (const c of cases) it(c.name, () => expect(problemsOf(c.tree)).toEqual(c.expected));

  it("a scope limits the files whose problems are reported", () => {
    const graph = graphOf({ "a.ts": `import "./x.js";`, "b.ts": `import "./y.js";` });
    expect(findProblems(graph, ["b.ts", "gone.ts"]).map(brief)).toEqual(["b.ts:1 unresolved-import"]);
  });

  it("problems name the import, the target and a readable message", () => {
    const [problem] = findProblems(graphOf({ "a.ts": `\nimport { gone } from "./b.js";`, "b.ts": "export {};" }));
    expect(problem).toEqual({
      file: "a.ts",
      line: 2,
      target: "b.ts",
      specifier: "./b.js",
      code: "missing-export",
      name: "gone",
      message: `"./b.js" has no export named "gone"`,
    });
  });

  it("exportsName answers yes / no / unknown", () => {
    const graph = graphOf({ "a.ts": `export * from "./b.js";\nexport const a = 1;`, "b.js": "module.exports = f;" });
    expect(exportsName(graph, "a.ts", "a")).toBe("yes");
    expect(exportsName(graph, "a.ts", "zzz")).toBe("unknown"); // b.js is opaque
    expect(exportsName(graphOf({ "a.ts": "export const a = 1;" }), "a.ts", "zzz")).toBe("no");
  });
});

/** HEAD's graph, and the graph after `changes` (path → new content; null deletes). */
function beforeAfter(head: Record<string, string>, changes: Record<string, string | null>): [ImportGraph, ImportGraph, string[]] {
  const before = graphOf(head);
  const written = new Map(Object.entries(changes).filter((e): e is [string, string] => e[1] !== null));
  const removed = Object.entries(changes).filter(([, v]) => v === null).map(([k]) => k);
  return [before, updateGraph(before, written, removed), Object.keys(changes)];
}

describe("introducedProblems", () => {
  const head = {
    "src/index.ts": `export { parse } from "./parse.js";\nexport * from "./format.js";`,
    "src/parse.ts": `export function parse() {}`,
    "src/format.ts": `export function format() {}\nexport default format;`,
    "src/app.ts": `import { parse, format } from "./index.js";\nimport fmt from "./format.js";\nimport { old } from "./legacy.js";`,
  };

  it("baseline problems are not reported again; new ones are", () => {
    const [before, after, changed] = beforeAfter(head, {
      "src/app.ts": `import { parse, format } from "./index.js";\nimport { old } from "./legacy.js";\nimport { typo } from "./parse.js";`,
    });
    // ./legacy.js is missing at HEAD already.
    expect(findProblems(before).map(brief)).toEqual(["src/app.ts:3 unresolved-import"]);
    const scope = changedScope(before, after, changed);
    expect(introducedProblems(before, after, scope).map(brief)).toEqual(["src/app.ts:3 missing-export typo"]);
  });

  it("renaming an export breaks importers and re-exporters, through the barrel", () => {
    const [before, after, changed] = beforeAfter(head, { "src/format.ts": `export function formatValue() {}\nexport default formatValue;` });
    const scope = changedScope(before, after, changed);
    expect([...scope].sort()).toEqual(["src/app.ts", "src/format.ts", "src/index.ts"]);
    expect(introducedProblems(before, after, scope).map(brief)).toEqual(["src/app.ts:1 missing-export format"]);
  });

  it("removing a default export breaks default imports", () => {
    const [before, after, changed] = beforeAfter(head, { "src/format.ts": `export function format() {}` });
    expect(introducedProblems(before, after, changedScope(before, after, changed)).map(brief)).toEqual([
      "src/app.ts:2 missing-default default",
    ]);
  });

  it("deleting a file unresolves its importers", () => {
    const [before, after, changed] = beforeAfter(head, { "src/parse.ts": null });
    const scope = changedScope(before, after, changed);
    expect(scope.has("src/parse.ts")).toBe(false);
    expect(introducedProblems(before, after, scope).map(brief)).toEqual(["src/index.ts:1 unresolved-import"]);
  });

  it("a fix makes a baseline problem disappear and reports nothing", () => {
    const [before, after, changed] = beforeAfter(head, { "src/legacy.ts": "export const old = 1;" });
    expect(introducedProblems(before, after, changedScope(before, after, changed))).toEqual([]);
  });

  it("problems compare by what they are about, not by line", () => {
    const [before, after, changed] = beforeAfter(head, {
      "src/app.ts": `// moved down\n\n${head["src/app.ts"]}`,
    });
    expect(introducedProblems(before, after, changedScope(before, after, changed))).toEqual([]);
  });

  it("a second copy of a baseline problem is new (multiset)", () => {
    const a: ImportProblem = { file: "a.ts", line: 1, code: "unresolved-import", message: "m", specifier: "./x.js" };
    expect(newProblems([a], [{ ...a, line: 5 }, { ...a, line: 9 }])).toEqual([{ ...a, line: 9 }]);
    expect(problemKey({ ...a, line: 1 })).toBe(problemKey({ ...a, line: 2 }));
    const ts: ImportProblem = { file: "a.ts", line: 1, code: "ts2305", message: "Module './b.js' has no exported member 'x'." };
    expect(problemKey(ts)).not.toBe(problemKey({ ...ts, message: "Module './b.js' has no exported member 'y'." }));
  });
});

describe("blameProblems", () => {
  const head = {
    "src/index.ts": `export * from "./format.js";`,
    "src/format.ts": `export function format() {}`,
    "src/app.ts": `import { format } from "./index.js";`,
    "src/other.ts": `import { format } from "./format.js";`,
  };
  const tasks = new Map([
    ["src/format.ts", "refactor:src/format.ts"],
    ["src/app.ts", "refactor:src/app.ts"],
    ["src/new.ts", "refactor:src/new.ts"],
  ]);

  const blamed = (changes: Record<string, string | null>) => {
    const [before, after, changed] = beforeAfter(head, changes);
    const problems = introducedProblems(before, after, changedScope(before, after, changed));
    return blameProblems(problems, { changedFiles: tasks, graphBefore: before, graphAfter: after }).map(
      (p) => `${brief(p)} blame=${p.blame ?? "-"} target=${p.target ?? "-"}`,
    );
  };

  it("blames the exporter that removed a name its importers still use, through a barrel", () => {
    expect(blamed({ "src/format.ts": `export function formatValue() {}` })).toEqual([
      "src/app.ts:1 missing-export format blame=refactor:src/format.ts target=src/format.ts",
      "src/other.ts:1 missing-export format blame=refactor:src/format.ts target=src/format.ts",
    ]);
  });

  it("blames the importer that asks for a name that never existed", () => {
    expect(blamed({ "src/app.ts": `import { formatt } from "./index.js";` })).toEqual([
      "src/app.ts:1 missing-export formatt blame=refactor:src/app.ts target=src/index.ts",
    ]);
  });

  it("blames the importer for a wrong path", () => {
    expect(blamed({ "src/app.ts": `import { format } from "./fromat.js";` })).toEqual([
      "src/app.ts:1 unresolved-import blame=refactor:src/app.ts target=-",
    ]);
  });

  it("an untouched importer of a removed file blames the task that owned the file", () => {
    const [before, after] = beforeAfter({ ...head, "src/new.ts": "export const n = 1;", "src/use.ts": `import { n } from "./new.js";` }, {
      "src/new.ts": null,
    });
    const problems = introducedProblems(before, after, changedScope(before, after, ["src/new.ts"]));
    const [problem] = blameProblems(problems, { changedFiles: tasks, graphBefore: before, graphAfter: after });
    expect(problem).toMatchObject({ file: "src/use.ts", code: "unresolved-import", blame: "refactor:src/new.ts", target: "src/new.ts" });
  });

  it("compiler diagnostics go to the file's task, else to the changed file imported on that line", () => {
    const [before, after] = beforeAfter(head, { "src/format.ts": `export function format(x: number) {}` });
    const diagnostic: ImportProblem = { file: "src/other.ts", line: 1, code: "ts2554", message: "Expected 1 arguments, but got 0." };
    const [withTarget] = attachTargets([diagnostic], after);
    expect(withTarget).toMatchObject({ target: "src/format.ts", specifier: "./format.js" });
    const [problem] = blameProblems([diagnostic], { changedFiles: tasks, graphBefore: before, graphAfter: after });
    expect(problem).toMatchObject({ blame: "refactor:src/format.ts", target: "src/format.ts" });
  });

  it("chainOfName follows export * to the defining file", () => {
    expect(chainOfName(graphOf(head), "src/index.ts", "format")).toEqual(["src/index.ts", "src/format.ts"]);
    expect(chainOfName(graphOf(head), "src/index.ts", "nope")).toEqual([]);
  });
});
