import { describe, expect, it } from "vitest";
import { buildImportGraph, updateGraph } from "../../../src/graph/build-graph.js";
import type { ImportGraph } from "../../../src/graph/types.js";

const tree = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** Every internal edge as `from -> to`, sorted. */
function edges(graph: ImportGraph): string[] {
  return [...graph.files.keys()].flatMap((from) => graph.dependenciesOf(from).map((to) => `${from} -> ${to}`)).sort();
}

describe("buildImportGraph", () => {
  it("links ESM, type-only, CommonJS, dynamic imports and re-exports to files", () => {
    const graph = buildImportGraph(
      tree({
        "src/index.ts": `export * from "./a.js";\nexport { b } from "./b";\nimport type { T } from "./types.js";\nconst lazy = () => import("./lazy.js");`,
        "src/a.ts": `export const a = 1;`,
        "src/b.ts": `export const b = 1;`,
        "src/types.ts": `export type T = 1;`,
        "src/lazy.ts": `export const l = 1;`,
        "lib/main.js": `const { x } = require("./x");\nconst y = require("./y/index.js");\nmodule.exports = { x, y };`,
        "lib/x.js": `exports.x = 1;`,
        "lib/y/index.js": `module.exports = 2;`,
      }),
    );
    expect(edges(graph)).toEqual([
      "lib/main.js -> lib/x.js",
      "lib/main.js -> lib/y/index.js",
      "src/index.ts -> src/a.ts",
      "src/index.ts -> src/b.ts",
      "src/index.ts -> src/lazy.ts",
      "src/index.ts -> src/types.ts",
    ]);
    expect(graph.importersOf("src/a.ts")).toEqual(["src/index.ts"]);
    expect(graph.importersOf("src/index.ts")).toEqual([]);
    expect(graph.files.get("src/index.ts")!.starTargets).toEqual([{ kind: "file", path: "src/a.ts", via: "relative" }]);
  });

  it("keeps dependencies in import order, each once", () => {
    const graph = buildImportGraph(
      tree({
        "m.ts": `import { c } from "./c.js";\nimport { a } from "./a.js";\nimport type { C } from "./c.js";\nexport * from "./b.js";`,
        "a.ts": "export const a = 1;",
        "b.ts": "export const b = 1;",
        "c.ts": "export const c = 1; export type C = 1;",
      }),
    );
    // Star re-exports are collected after the import statements.
    expect(graph.dependenciesOf("m.ts")).toEqual(["c.ts", "a.ts", "b.ts"]);
  });

  it("groups import cycles into strongly connected components, dependencies first", () => {
    const graph = buildImportGraph(
      tree({
        "app.ts": `import "./x.js";`,
        "x.ts": `import "./y.js";`,
        "y.ts": `import "./z.js";\nimport "./leaf.js";`,
        "z.ts": `import "./x.js";`,
        "leaf.ts": `import "./leaf.js";`, // a self-import is its own component
        "pair/a.js": `require("./b");`,
        "pair/b.js": `require("./a");`,
      }),
    );
    const sccs = graph.sccs();
    expect(sccs).toEqual([["leaf.ts"], ["x.ts", "y.ts", "z.ts"], ["app.ts"], ["pair/a.js", "pair/b.js"]]);
    const position = (p: string) => sccs.findIndex((c) => c.includes(p));
    for (const edge of edges(graph)) {
      const [from, to] = edge.split(" -> ") as [string, string];
      expect(position(to)).toBeLessThanOrEqual(position(from));
    }
    // Callers may mutate what they get; the graph keeps its own copy.
    sccs[0]!.push("junk");
    expect(graph.sccs()[0]).toEqual(["leaf.ts"]);
  });

  it("unparsed files exist for resolution but are not nodes", () => {
    const graph = buildImportGraph(
      tree({
        "src/a.ts": `import data from "./data.json";\nimport "./style.css";\nimport logo from "../public/logo.png";`,
        "src/data.json": "{}",
      }),
      { otherPaths: ["src/style.css", "public/logo.png"] },
    );
    expect(graph.files.get("src/a.ts")!.imports.map((i) => i.resolution.kind)).toEqual(["file", "file", "file"]);
    expect([...graph.files.keys()]).toEqual(["src/a.ts"]);
    expect([...graph.otherPaths].sort()).toEqual(["public/logo.png", "src/data.json", "src/style.css"]);
    expect(graph.importersOf("src/style.css")).toEqual(["src/a.ts"]);
  });

  it("reads tsconfig.json paths and package.json dependencies from the snapshot", () => {
    const graph = buildImportGraph(
      tree({
        "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "@/*": ["./src/*"] } } }),
        "package.json": JSON.stringify({ name: "app", dependencies: { lodash: "4" } }),
        "src/a.ts": `import { b } from "@/b.js";\nimport _ from "lodash";\nimport React from "react";\nimport fs from "node:fs";`,
        "src/b.ts": "export const b = 1;",
      }),
    );
    const resolutions = graph.files.get("src/a.ts")!.imports.map((i) => i.resolution);
    expect(resolutions).toEqual([
      { kind: "file", path: "src/b.ts", via: "paths" },
      { kind: "external", packageName: "lodash", isBuiltin: false, isDeclared: true },
      { kind: "external", packageName: "react", isBuiltin: false, isDeclared: false },
      { kind: "external", packageName: "fs", isBuiltin: true, isDeclared: true },
    ]);
    expect([...graph.externals()].sort()).toEqual(["lodash", "node:fs", "react"]);
  });

  it("in a workspace, every package.json of the repo declares packages, and the packages themselves", () => {
    const graph = buildImportGraph(
      tree({
        "package.json": JSON.stringify({ private: true, workspaces: ["packages/*"], devDependencies: { vitest: "2" } }),
        "packages/api/package.json": JSON.stringify({ name: "@acme/api", dependencies: { express: "4", "@acme/core": "*" } }),
        "packages/core/package.json": JSON.stringify({ name: "@acme/core" }),
        "node_modules/junk/package.json": JSON.stringify({ name: "junk", dependencies: { "left-pad": "1" } }),
        "packages/api/src/app.js": `require("express");
require("@acme/core");
require("vitest");
require("left-pad");`,
      }),
    );
    const declared = graph.files.get("packages/api/src/app.js")!.imports.map((i) => i.resolution.kind === "external" && i.resolution.isDeclared);
    expect(declared).toEqual([true, true, true, false]);
  });

  it("falls back to jsconfig.json, and explicit options win over the snapshot", () => {
    const files = tree({
      "jsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: "src" } }),
      "src/util.js": "exports.u = 1;",
      "src/a.js": `const { u } = require("util.js");`,
    });
    expect(buildImportGraph(files).files.get("src/a.js")!.imports[0]!.resolution).toMatchObject({ kind: "file", path: "src/util.js" });
    const overridden = buildImportGraph(files, { tsconfig: "{}", packageJson: JSON.stringify({ dependencies: {} }) });
    expect(overridden.files.get("src/a.js")!.imports[0]!.resolution).toMatchObject({ kind: "external", isDeclared: false });
  });

  it("records syntax errors per file", () => {
    const graph = buildImportGraph(tree({ "a.ts": "export const = ;", "b.ts": "export const b = 1;" }));
    expect(graph.files.get("a.ts")!.syntaxError).toMatchObject({ line: 1 });
    expect(graph.files.get("b.ts")!.syntaxError).toBeUndefined();
  });

  it("contents() returns the parsed snapshot", () => {
    const graph = buildImportGraph(tree({ "a.ts": "export {};", "package.json": "{}" }));
    expect(graph.contents()).toEqual(new Map([["a.ts", "export {};"]]));
  });
});

describe("updateGraph", () => {
  const base = () =>
    buildImportGraph(
      tree({
        "src/a.ts": `import { b } from "./b.js";\nimport { n } from "./new.js";\nexport const a = b;`,
        "src/b.ts": `export const b = 1;`,
        "src/c.ts": `import { a } from "./a.js";`,
      }),
    );

  it("re-parses a changed file and leaves the old graph as it was", () => {
    const before = base();
    const after = updateGraph(before, new Map([["src/b.ts", "export const renamed = 1;"]]));
    expect([...after.files.get("src/b.ts")!.exports.names]).toEqual(["renamed"]);
    expect([...before.files.get("src/b.ts")!.exports.names]).toEqual(["b"]);
    // Unchanged files are shared, not copied.
    expect(after.files.get("src/c.ts")).toBe(before.files.get("src/c.ts"));
  });

  it("a created file resolves imports that were unresolved; a removed one unresolves them", () => {
    const before = base();
    expect(before.files.get("src/a.ts")!.imports[1]!.resolution.kind).toBe("unresolved");
    const created = updateGraph(before, new Map([["src/new.ts", "export const n = 1;"]]));
    expect(created.files.get("src/a.ts")!.imports[1]!.resolution).toMatchObject({ kind: "file", path: "src/new.ts" });
    expect(created.importersOf("src/new.ts")).toEqual(["src/a.ts"]);
    const removed = updateGraph(created, new Map(), ["src/b.ts"]);
    expect(removed.files.has("src/b.ts")).toBe(false);
    expect(removed.files.get("src/a.ts")!.imports[0]!.resolution.kind).toBe("unresolved");
    expect(removed.importersOf("src/b.ts")).toEqual([]);
  });

  it("re-resolves everything when tsconfig.json changes", () => {
    const before = buildImportGraph(
      tree({ "tsconfig.json": "{}", "src/a.ts": `import { b } from "@lib/b";`, "lib/b.ts": "export const b = 1;" }),
    );
    expect(before.files.get("src/a.ts")!.imports[0]!.resolution.kind).toBe("external");
    const after = updateGraph(
      before,
      new Map([["tsconfig.json", JSON.stringify({ compilerOptions: { paths: { "@lib/*": ["lib/*"] } } })]]),
    );
    expect(after.files.get("src/a.ts")!.imports[0]!.resolution).toMatchObject({ kind: "file", path: "lib/b.ts", via: "paths" });
  });

  it("gives the same graph as a fresh build", () => {
    const before = base();
    const changes = new Map([
      ["src/b.ts", `export const b = 2;\nexport * from "./d.js";`],
      ["src/d.ts", `import { c } from "./c.js";\nexport const d = 1;`],
    ]);
    const updated = updateGraph(before, changes, ["src/c.ts"]);
    const fresh = buildImportGraph(
      tree({ "src/a.ts": before.files.get("src/a.ts")!.content, ...Object.fromEntries(changes) }),
    );
    expect(edges(updated)).toEqual(edges(fresh));
    expect(updated.sccs()).toEqual(fresh.sccs());
    for (const [path, node] of fresh.files) expect(updated.files.get(path)).toEqual(node);
  });

  it("rejects a graph it did not build", () => {
    const foreign = { ...base() };
    expect(() => updateGraph(foreign, new Map())).toThrow(TypeError);
  });
});
