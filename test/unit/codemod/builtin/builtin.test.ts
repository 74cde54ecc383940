// The built-ins against a generated repository, judged by the real tsc (the project's node_modules/typescript) on
// the tree with the changes written. The generated tree compiles as it is (its importers would fail tsc after a
// half-done rename or move); checking that costs a tsc run per test run, so it is not repeated here.
import { describe, expect, it } from "vitest";
import { runBuiltin, type BuiltinResult } from "../../../../src/codemod/builtin/index.js";
import type { ImportGraph } from "../../../../src/graph/index.js";
import { applied, featurePath, generatedRepo, IMPORTERS, tscErrors } from "./repo.js";

const files = generatedRepo();
const repo = { files, allPaths: [...files.keys(), "README.md", "assets/logo.png"] };
const contentOf = (result: BuiltinResult, path: string) => result.changes.find((c) => c.path === path)?.content;
/** Feature files by route (i % 6), see repo.ts. */
const byRoute = (route: number) => Array.from({ length: IMPORTERS }, (_, i) => i).filter((i) => i % 6 === route).map(featurePath);

describe("rename-export", () => {
  const result = runBuiltin({ kind: "rename-export", file: "src/lib/format.ts", from: "formatPrice", to: "formatCents" }, repo);
  const after = applied(files, result.changes);

  it("renames the export and every reference to it; tsc stays clean", () => {
    expect(result.problems).toEqual([]);
    expect(tscErrors(after)).toEqual([]);
  });

  it("leaves no importer naming the old export, through barrels, aliases, import type, import() and require", () => {
    // Routes 0–3 only ever meant the export.
    for (const path of [0, 1, 2, 3].flatMap(byRoute)) expect(after.get(path), path).not.toMatch(/\bformatPrice\b/);
    for (const path of byRoute(1)) expect(after.get(path)).toContain('import { formatCents as price } from "../api";');
    for (const path of byRoute(3)) expect(after.get(path)).toContain("lib.formatCents(n)");
    // Route 4: the import, import() destructuring and `.formatPrice` on import() are renamed; the local function
    // of the same name and the unrelated property are not.
    for (const path of byRoute(4)) {
      const text = after.get(path)!;
      expect(text).toContain('import { formatCents } from "../lib/format";');
      expect(text).toContain("const { formatCents: f } = await import");
      expect(text).toContain('(await import("../lib/format")).formatCents(n)');
      expect(text).toContain('const formatPrice = (s: string) => s.toUpperCase();\n  return formatPrice("x");');
      expect(text).toContain("settings = { formatPrice: true }");
    }
    expect(after.get("src/api.ts")).toBe('export { formatCents, formatTotal } from "./lib/format";\n');
    expect(after.get("src/legacy.cjs")).toContain("const { formatCents } = require");
    expect(after.get("src/legacy.cjs")).toContain("formatCents(n) + lib.formatCents(n)");
  });

  it("renames local uses, keeps an object's property name, and touches nothing unrelated", () => {
    const format = contentOf(result, "src/lib/format.ts")!;
    expect(format).toContain("export function formatCents(cents: number)");
    expect(format).toContain("return formatCents(items.reduce");
    expect(format).toContain("export const api = { formatPrice: formatCents };");
    const changed = new Set(result.changes.map((c) => c.path));
    // Route 5 reads api.formatPrice, a property that keeps its name; src/other has its own formatPrice.
    for (const path of [...byRoute(5), "src/other/format.ts", "src/other/use.ts", "src/lib/index.ts"]) expect(changed.has(path), path).toBe(false);
    expect(changed.size).toBe(5 * 5 + 3);
  });
});

describe("move-file", () => {
  const result = runBuiltin({ kind: "move-file", from: "src/lib/format.ts", to: "src/lib/money/format.ts" }, repo);
  const after = applied(files, result.changes);

  it("moves the file, rewrites every specifier that named it; tsc stays clean", () => {
    expect(result.problems).toEqual([]);
    expect(after.has("src/lib/format.ts")).toBe(false);
    expect(after.get("src/lib/money/format.ts")).toContain('import { CURRENCY } from "../currency";');
    expect(tscErrors(after)).toEqual([]);
  });

  it("keeps each importer's style: relative or alias, extension or none", () => {
    for (const path of byRoute(2)) expect(after.get(path)).toContain('from "@lib/money/format.js";');
    for (const path of byRoute(3)) {
      expect(after.get(path)).toContain('import * as lib from "@lib/index";');
      expect(after.get(path)).toContain('import type { formatPrice } from "../lib/money/format";');
    }
    for (const path of byRoute(4)) {
      expect(after.get(path)).toContain('from "../lib/money/format";');
      expect(after.get(path)).toContain('await import("../lib/money/format")');
    }
    for (const path of byRoute(5)) expect(after.get(path)).toContain('from "@lib/money/format";');
    expect(after.get("src/lib/index.ts")).toBe('export * from "./money/format";\nexport * from "./currency";\n');
    expect(after.get("src/api.ts")).toContain('from "./lib/money/format";');
    expect(after.get("src/legacy.cjs")).toContain('require("./lib/money/format")');
    // Independent of the above: no specifier anywhere still names the old place.
    for (const [path, text] of after) expect(text, path).not.toMatch(/["'](?:[./]*lib|@lib)\/format(?:\.js)?["']/);
    // Files that name the module through a barrel are not touched.
    const changed = new Set(result.changes.map((c) => c.path));
    for (const path of [...byRoute(0), ...byRoute(1)]) expect(changed.has(path), path).toBe(false);
  });

  it("keeps NodeNext's .js extensions, in the importers and in the moved file's own imports", () => {
    const nodeNext = new Map(Object.entries({
      "package.json": JSON.stringify({ name: "nn", type: "module" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", types: [], noEmit: true }, include: ["src"] }),
      "src/util/b.ts": "export const b = 2;\n",
      "src/util/a.ts": 'import { b } from "./b.js";\nexport const a = b + 1;\n',
      "src/util/index.ts": 'export * from "./a.js";\n',
      "src/main.ts": 'import { a } from "./util/a.js";\nimport type * as A from "./util/a.js";\nexport const m: typeof A.a = a;\nexport const later = () => import("./util/a.js");\n',
    }));
    const moved = runBuiltin({ kind: "move-file", from: "src/util/a.ts", to: "src/lib/deep/a.ts" }, { files: nodeNext, allPaths: [...nodeNext.keys()] });
    const tree = applied(nodeNext, moved.changes);
    expect(tree.get("src/lib/deep/a.ts")).toBe('import { b } from "../../util/b.js";\nexport const a = b + 1;\n');
    expect(tree.get("src/util/index.ts")).toBe('export * from "../lib/deep/a.js";\n');
    expect(tree.get("src/main.ts")).toBe(
      'import { a } from "./lib/deep/a.js";\nimport type * as A from "./lib/deep/a.js";\nexport const m: typeof A.a = a;\nexport const later = () => import("./lib/deep/a.js");\n',
    );
    expect(tscErrors(tree)).toEqual([]);
  });
});

describe("what the built-ins refuse, with the reason", () => {
  const rename = (from: string, to: string, extra: Record<string, string> = {}, file = "src/lib/format.ts") => {
    const tree = new Map([...files, ...Object.entries(extra)]);
    return runBuiltin({ kind: "rename-export", file, from, to }, { files: tree, allPaths: [...tree.keys()] });
  };

  it("rename-export: no such file or export, a name taken in the file, an importer or a barrel", () => {
    expect(rename("formatPrice", "x", {}, "src/lib/nope.ts")).toEqual({ changes: [], problems: ["src/lib/nope.ts does not exist"] });
    expect(rename("a", "b", {}, "tsconfig.json").problems).toEqual(["tsconfig.json is not a JavaScript or TypeScript file"]);
    expect(rename("nope", "x").problems).toEqual(["src/lib/format.ts has no export named nope"]);
    expect(rename("formatPrice", "formatTotal").problems).toEqual(["src/lib/format.ts already exports formatTotal"]);
    expect(rename("formatPrice", "CURRENCY").problems).toEqual(["src/lib/format.ts already declares CURRENCY"]);
    const clash = rename("formatPrice", "formatCents", {
      "src/clash.ts": 'import { formatPrice } from "./lib/format";\nconst formatCents = 1;\nexport const y = formatPrice(formatCents);\n',
    });
    expect(clash).toEqual({ changes: [], problems: ["src/clash.ts already has a formatCents where formatPrice is used"] });
    const barrel = rename("formatPrice", "formatCents", { "src/lib/currency.ts": 'export const CURRENCY = "EUR";\nexport const formatCents = 1;\n' });
    expect(barrel.problems).toEqual(["src/lib/index.ts already exports formatCents; renaming would make it ambiguous"]);
  });

  it("an internal failure is a one-line problem, not a crash", () => {
    const broken = { ...repo, graph: { importersOf: () => { throw new Error("boom\n    at somewhere"); } } as unknown as ImportGraph };
    expect(runBuiltin({ kind: "move-file", from: "src/lib/format.ts", to: "src/x.ts" }, broken)).toEqual({ changes: [], problems: ["move-file could not run: boom"] });
  });

  it("move-file: no such file, a target that exists, a file that is not code", () => {
    const move = (from: string, to: string) => runBuiltin({ kind: "move-file", from, to }, repo);
    expect(move("src/lib/nope.ts", "src/x.ts").problems).toEqual(["src/lib/nope.ts does not exist"]);
    expect(move("src/lib/format.ts", "src/api.ts").problems).toEqual(["src/api.ts already exists"]);
    expect(move("src/lib/format.ts", "assets/logo.png").problems).toEqual(["assets/logo.png already exists"]);
    expect(move("README.md", "docs/README.md").problems).toEqual(["README.md is not a source file swarm reads"]);
    expect(move("src/lib/format.ts", "src/lib").problems).toEqual(["src/lib is a folder"]);
  });
});
