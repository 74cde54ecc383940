import { describe, expect, it } from "vitest";
import { isParsablePath, parseImports, parseModule, scriptKindOf } from "../../../src/graph/parse-imports.js";
import type { ImportRecord } from "../../../src/graph/types.js";

/** One import as a short string: `kind specifier [default] [* ] {names}`; names as `imported:local`, `(t)` type-only, `(u)` usage. */
function brief(record: ImportRecord): string {
  const parts = [record.kind, record.specifier];
  if (record.default) parts.push("default");
  if (record.namespace) parts.push("*");
  if (record.star) parts.push("star");
  if (record.typeOnly) parts.push("type");
  const names = record.names.map(
    (n) => `${n.imported}${n.local !== n.imported ? `:${n.local}` : ""}${n.typeOnly ? "(t)" : ""}${n.isUsage ? "(u)" : ""}`,
  );
  if (names.length > 0) parts.push(`{${names.join(",")}}`);
  return parts.join(" ");
}

const importsOf = (path: string, text: string) => parseImports(path, text).map(brief);

describe("parseImports: ESM", () => {
  const cases: { name: string; text: string; expected: string[] }[] = [
    { name: "named, renamed, default", text: `import x, { a, b as c } from "./x.js";`, expected: ["import ./x.js default {a,b:c}"] },
    { name: "default via braces", text: `import { default as d } from "./d.js";`, expected: ["import ./d.js default"] },
    { name: "namespace", text: `import * as ns from "./ns.js";`, expected: ["import ./ns.js *"] },
    { name: "side effect", text: `import "./polyfill.js";`, expected: ["side-effect ./polyfill.js"] },
    { name: "import type", text: `import type { T, U as V } from "./types.js";`, expected: ["import-type ./types.js type {T(t),U:V(t)}"] },
    { name: "inline type modifier", text: `import { type T, f } from "./m.js";`, expected: ["import ./m.js {T(t),f}"] },
    { name: "export named from", text: `export { a, b as c } from "./a.js";`, expected: ["export-from ./a.js {a,b:c}"] },
    { name: "export default from", text: `export { default } from "./a.js";`, expected: ["export-from ./a.js default"] },
    { name: "export default as name", text: `export { default as Cache } from "./cache.js";`, expected: ["export-from ./cache.js default"] },
    { name: "export star", text: `export * from "./all.js";`, expected: ["export-from ./all.js star"] },
    { name: "export star as", text: `export * as schema from "./schema/index.js";`, expected: ["export-from ./schema/index.js *"] },
    { name: "export type from", text: `export type { T } from "./t.js";`, expected: ["export-from ./t.js type {T(t)}"] },
    { name: "import = require (TS)", text: `import fs = require("fs");`, expected: ["require fs *"] },
    { name: "import type = require", text: `import type T = require("./t");`, expected: ["import-type ./t * type"] },
    {
      name: "import() types",
      text: `type A = import("./a.js").Foo; let v: typeof import("./v.js"); type D = import("./d.js").default;`,
      expected: ["import-type ./a.js type {Foo(t)}", "import-type ./v.js * type", "import-type ./d.js default type"],
    },
    { name: "no module specifier: local export list", text: `const a = 1; export { a };`, expected: [] },
  ];
  for (const c of cases) it(c.name, () => expect(importsOf("src/a.ts", c.text)).toEqual(c.expected));
});

describe("parseImports: CommonJS and dynamic import", () => {
  const cases: { name: string; text: string; expected: string[] }[] = [
    { name: "whole module", text: `const m = require("./m");`, expected: ["require ./m *"] },
    { name: "side effect require", text: `require("./setup");`, expected: ["require ./setup"] },
    { name: "destructuring", text: `const { a, b: c } = require("./x");`, expected: ["require ./x {a,b:c}"] },
    { name: "destructuring with rest", text: `const { a, ...rest } = require("./x");`, expected: ["require ./x * {a}"] },
    { name: "destructured default", text: `const { default: d } = require("./x");`, expected: ["require ./x default"] },
    { name: "property of require", text: `const run = require("./jobs").run;`, expected: ["require ./jobs {run}"] },
    { name: "member usages of a required module", text: `const m = require("./m");\nm.foo();\nm.bar = 1;\nm.foo();`, expected: ["require ./m * {foo:m.foo(u)}"] },
    { name: "template literal", text: "const t = require(`./tpl`);", expected: ["require ./tpl *"] },
    { name: "computed specifier is not an import", text: `const x = require("./" + name);`, expected: [] },
    { name: "nested require", text: `function f() { if (a) { const z = require("./z"); return z; } }`, expected: ["require ./z *"] },
    { name: "passed as argument", text: `app.use(require("./routes"));`, expected: ["require ./routes *"] },
    { name: "dynamic import, awaited", text: `const m = await import("./lazy.js");\nm.run();`, expected: ["dynamic-import ./lazy.js * {run:m.run(u)}"] },
    { name: "dynamic import, destructured", text: `const { a, default: d } = await import("./lazy.js");`, expected: ["dynamic-import ./lazy.js default {a}"] },
    { name: "dynamic import, property of awaited", text: `const r = (await import("./lazy.js")).run;`, expected: ["dynamic-import ./lazy.js {run}"] },
    { name: "dynamic import .then is not an export", text: `import("./lazy.js").then((m) => m.run());`, expected: ["dynamic-import ./lazy.js *"] },
    { name: "un-awaited import() bound to a name holds a promise", text: `const p = import("./lazy.js");\np.then(f);`, expected: ["dynamic-import ./lazy.js *"] },
    { name: "bare dynamic import", text: `import("lit");`, expected: ["dynamic-import lit"] },
    { name: "require of a package", text: `const express = require("express");`, expected: ["require express *"] },
  ];
  for (const c of cases) it(c.name, () => expect(importsOf("src/a.js", c.text)).toEqual(c.expected));

  it("a local function named import is not a module call", () => {
    expect(importsOf("src/a.js", `obj.require("./x"); const r = myRequire("./y");`)).toEqual([]);
  });
});

describe("parseModule", () => {
  it("gives 1-based start and end lines of multi-line statements", () => {
    const text = `// header\nimport {\n  a,\n  b,\n} from "./x.js";\nconst m = require("./m");\n`;
    const records = parseModule("src/a.ts", text).imports;
    expect(records.map((r) => [r.specifier, r.line, r.endLine])).toEqual([
      ["./x.js", 2, 5],
      ["./m", 6, 6],
    ]);
  });

  it("reports the first syntax error with its line and still returns what parsed", () => {
    const parsed = parseModule("src/a.ts", `import { a } from "./a.js";\nconst = 1;\n`);
    expect(parsed.syntaxError?.line).toBe(2);
    expect(parsed.syntaxError?.message).toMatch(/expected/i);
    expect(parsed.imports.map((r) => r.specifier)).toEqual(["./a.js"]);
  });

  it("parses JSX and TSX", () => {
    expect(parseModule("src/App.tsx", `import { B } from "./B.js";\nexport const A = () => <B x={1} />;\n`).syntaxError).toBeUndefined();
    expect(parseModule("src/App.jsx", `import B from "./B";\nexport default () => <B />;\n`).syntaxError).toBeUndefined();
  });

  it("reads the same module whether its tree is kept for the compiler (JSDoc read for it) or not (issue 16)", () => {
    const text = [
      '/** @see {@link ./b.js} and {@link Other} */',
      'import type { B } from "./b.js";',
      '/** @param {import("./c.js").C} c @returns {Promise<void>} */',
      'export async function f(b: B, c: unknown): Promise<void> {',
      '  /** @type {import("./d.js")} */',
      '  const d = await import("./e.js");',
      "}",
      "export * from './f.js';",
      "const = 1;",
      "",
    ].join("\n");
    const shared = new Map();
    const kept = parseModule("src/a.ts", text, shared);
    expect(shared.get("/repo/src/a.ts")).toHaveLength(1);
    expect(parseModule("src/a.ts", text)).toEqual(kept);
    expect(kept.imports.map((r) => r.specifier)).toEqual(["./b.js", "./f.js", "./e.js"]);
  });
});

describe("scriptKindOf / isParsablePath", () => {
  const cases: [string, boolean][] = [
    ["a.ts", true],
    ["a.mts", true],
    ["a.cts", true],
    ["a.tsx", true],
    ["a.d.ts", true],
    ["a.js", true],
    ["a.mjs", true],
    ["a.cjs", true],
    ["a.jsx", true],
    ["A.TS", true],
    ["a.json", false],
    ["a.css", false],
    ["Makefile", false],
    ["dir.ts/README", false],
  ];
  for (const [path, expected] of cases) it(path, () => expect(isParsablePath(path)).toBe(expected));
  it("null for unknown kinds", () => expect(scriptKindOf("x.vue")).toBeNull());
});
