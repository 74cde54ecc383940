import { describe, expect, it } from "vitest";
import {
  emptyResolverConfig,
  isBuiltin,
  isInProject,
  joinRepoPath,
  packageNameOf,
  resolveSpecifier,
  resolverConfigFrom,
} from "../../../src/graph/resolve-specifier.js";
import type { ImportKind, Resolution, ResolverConfig } from "../../../src/graph/types.js";

const REPO_FILES = [
  "src/a.ts",
  "src/a.js",
  "src/only-js.js",
  "src/view.tsx",
  "src/esm.mts",
  "src/cjs.cts",
  "src/legacy.mjs",
  "src/types.d.ts",
  "src/util/index.ts",
  "src/util/str.ts",
  "src/lib/index.js",
  "src/data.json",
  "src/style.css",
  "src/app/main.ts",
  "src/internal/secret.ts",
  "gen/types.ts",
  "gen/extra.ts",
  "lib/index.ts",
  "index.js",
];
const exists = (p: string) => REPO_FILES.includes(p);

/** `file:<path>`, `ext:<package>[:builtin][:undeclared|:unknown]`, `unresolved`. */
function short(resolution: Resolution): string {
  if (resolution.kind === "file") return `file:${resolution.path}`;
  if (resolution.kind === "unresolved") return "unresolved";
  const declared = resolution.isDeclared === null ? ":unknown" : resolution.isDeclared ? "" : ":undeclared";
  return `ext:${resolution.packageName}${resolution.isBuiltin ? ":builtin" : ""}${declared}`;
}

function resolveWith(config: ResolverConfig, specifier: string, from = "src/consumer.ts", kind: ImportKind = "import") {
  return short(resolveSpecifier(specifier, from, kind, config, exists));
}

describe("resolveSpecifier: relative specifiers", () => {
  const config = emptyResolverConfig();
  const cases: { from?: string; specifier: string; expected: string }[] = [
    { specifier: "./a.js", expected: "file:src/a.ts" }, // NodeNext: .js in TS source names the .ts file
    { specifier: "./a", expected: "file:src/a.ts" }, // extensionless, TS first from a TS file
    { from: "src/consumer.js", specifier: "./a", expected: "file:src/a.js" }, // JS importer prefers .js
    { from: "src/consumer.js", specifier: "./a.js", expected: "file:src/a.js" }, // the file as written
    { specifier: "./only-js.js", expected: "file:src/only-js.js" }, // .js with no .ts next to it
    { specifier: "./view.js", expected: "file:src/view.tsx" },
    { specifier: "./view.jsx", expected: "file:src/view.tsx" },
    { specifier: "./esm.mjs", expected: "file:src/esm.mts" },
    { specifier: "./cjs.cjs", expected: "file:src/cjs.cts" },
    { specifier: "./legacy.mjs", expected: "file:src/legacy.mjs" },
    { specifier: "./types.js", expected: "file:src/types.d.ts" },
    { specifier: "./util", expected: "file:src/util/index.ts" }, // directory → index
    { specifier: "./util/index.js", expected: "file:src/util/index.ts" },
    { specifier: "./util/", expected: "file:src/util/index.ts" },
    { specifier: "./lib", expected: "file:src/lib/index.js" },
    { specifier: "./util/str.js", expected: "file:src/util/str.ts" },
    { from: "src/util/str.ts", specifier: "../a.js", expected: "file:src/a.ts" },
    { from: "src/util/str.ts", specifier: "..", expected: "unresolved" }, // src/ has no index file
    { from: "src/a.ts", specifier: "..", expected: "file:index.js" },
    { specifier: ".", expected: "unresolved" },
    { specifier: "./data.json", expected: "file:src/data.json" },
    { specifier: "./style.css", expected: "file:src/style.css" },
    { specifier: "./style.css?inline", expected: "file:src/style.css" }, // bundler query strings
    { specifier: "./missing.js", expected: "unresolved" },
    { specifier: "./a.ts.js", expected: "unresolved" },
    { specifier: "../../outside.js", expected: "unresolved" },
    { specifier: "/abs/path.js", expected: "unresolved" },
  ];
  for (const c of cases) {
    it(`${c.from ?? "src/consumer.ts"}: ${c.specifier}`, () => expect(resolveWith(config, c.specifier, c.from)).toBe(c.expected));
  }

  it("says why a relative specifier is unresolved", () => {
    expect(resolveSpecifier("./missing.js", "src/a.ts", "import", config, exists)).toEqual({ kind: "unresolved", reason: "no such file" });
    expect(resolveSpecifier("../../x", "src/a.ts", "import", config, exists)).toEqual({
      kind: "unresolved",
      reason: "points outside the repository",
    });
  });
});

describe("resolveSpecifier: tsconfig paths and baseUrl", () => {
  const config = resolverConfigFrom({
    tsconfig: `{
      // comments and trailing commas, as tsc accepts them
      "compilerOptions": {
        "baseUrl": ".",
        "paths": { "@app/*": ["src/app/*"], "@lib": ["lib/index.ts"], "~/*": ["src/*", "gen/*"], "@app/special": ["gen/types.ts"], },
      },
    }`,
  });
  const cases: { specifier: string; expected: string }[] = [
    { specifier: "@app/main", expected: "file:src/app/main.ts" },
    { specifier: "@app/main.js", expected: "file:src/app/main.ts" },
    { specifier: "@app/special", expected: "file:gen/types.ts" }, // exact pattern beats the wildcard
    { specifier: "@app/nope", expected: "unresolved" }, // the project's own alias, no file: broken
    { specifier: "@lib", expected: "file:lib/index.ts" },
    { specifier: "~/types", expected: "file:src/types.d.ts" }, // first target that has a file
    { specifier: "~/extra", expected: "file:gen/extra.ts" }, // second target when the first has no file
    { specifier: "~/util", expected: "file:src/util/index.ts" },
    { specifier: "src/util/str", expected: "file:src/util/str.ts" }, // baseUrl
    { specifier: "lib", expected: "file:lib/index.ts" }, // baseUrl directory
    { specifier: "fs", expected: "ext:fs:builtin" }, // builtins never resolve through baseUrl
    { specifier: "lodash", expected: "ext:lodash:unknown" }, // no package.json given
  ];
  for (const c of cases) it(c.specifier, () => expect(resolveWith(config, c.specifier)).toBe(c.expected));

  it("reads paths relative to the tsconfig's directory when baseUrl is absent, and follows extends", () => {
    const files = new Map([["config/base.json", JSON.stringify({ compilerOptions: { paths: { "#gen/*": ["../gen/*"] } } })]]);
    const extended = resolverConfigFrom({
      tsconfig: JSON.stringify({ extends: "./config/base.json" }),
      files,
    });
    expect(extended.paths).toEqual([{ pattern: "#gen/*", targets: ["gen/*"] }]);
    expect(extended.baseUrl).toBeNull();
    const nested = resolverConfigFrom({
      tsconfig: JSON.stringify({ compilerOptions: { paths: { "@/*": ["./*"] }, outDir: "out", rootDir: "." } }),
      tsconfigPath: "src/tsconfig.json",
    });
    expect(nested.paths).toEqual([{ pattern: "@/*", targets: ["src/*"] }]);
    expect(nested.outDir).toBe("src/out");
    expect(nested.rootDir).toBe("src");
    expect(resolveSpecifier("@/util/str", "src/a.ts", "import", nested, exists)).toEqual({
      kind: "file",
      path: "src/util/str.ts",
      via: "paths",
    });
  });

  it("a catch-all `*` alias falls through to packages", () => {
    const catchAll = resolverConfigFrom({ tsconfig: JSON.stringify({ compilerOptions: { paths: { "*": ["gen/*"] } } }) });
    expect(resolveWith(catchAll, "types")).toBe("file:gen/types.ts");
    expect(resolveWith(catchAll, "react")).toBe("ext:react:unknown");
  });
});

describe("resolveSpecifier: package.json", () => {
  const config = resolverConfigFrom({
    tsconfig: JSON.stringify({ compilerOptions: { rootDir: "src", outDir: "dist" } }),
    packageJson: JSON.stringify({
      name: "@me/pkg",
      exports: {
        ".": { types: "./dist/index.d.ts", import: "./dist/util/index.js", require: "./dist/a.cjs" },
        "./util/*": "./dist/util/*.js",
        "./data": "./src/data.json",
        "./private/*": null,
      },
      imports: { "#int/*": "./src/internal/*.ts", "#dep": "lodash", "#app": { node: "./src/app/main.ts" } },
      dependencies: { lodash: "^4" },
      devDependencies: { vitest: "^2", "@types/express": "^4" },
      peerDependencies: { react: "*" },
      optionalDependencies: { fsevents: "*" },
    }),
  });
  const cases: { specifier: string; kind?: ImportKind; expected: string }[] = [
    // self-reference through `exports`, build output mapped back to source; `types` names a build
    // file with no source here (dist/index.d.ts ← src/index.ts is absent), so `import` decides
    { specifier: "@me/pkg", expected: "file:src/util/index.ts" },
    { specifier: "@me/pkg/util/str", expected: "file:src/util/str.ts" },
    { specifier: "@me/pkg/data", expected: "file:src/data.json" },
    { specifier: "@me/pkg/nope", expected: "unresolved" },
    { specifier: "@me/pkg/private/x", expected: "unresolved" },
    // `imports`
    { specifier: "#int/secret", expected: "file:src/internal/secret.ts" },
    { specifier: "#app", expected: "file:src/app/main.ts" },
    { specifier: "#dep", expected: "ext:lodash" },
    { specifier: "#nope", expected: "unresolved" },
    // packages: declared in any dependency field, or through @types
    { specifier: "lodash", expected: "ext:lodash" },
    { specifier: "lodash/fp", expected: "ext:lodash" },
    { specifier: "vitest", expected: "ext:vitest" },
    { specifier: "react", expected: "ext:react" },
    { specifier: "fsevents", expected: "ext:fsevents" },
    { specifier: "express", expected: "ext:express" },
    { specifier: "left-pad", expected: "ext:left-pad:undeclared" },
    { specifier: "@scope/thing/sub", expected: "ext:@scope/thing:undeclared" },
    // builtins are always available
    { specifier: "fs", expected: "ext:fs:builtin" },
    { specifier: "fs/promises", expected: "ext:fs:builtin" },
    { specifier: "node:fs/promises", expected: "ext:fs:builtin" },
    { specifier: "node:test", expected: "ext:test:builtin" },
  ];
  for (const c of cases) it(c.specifier, () => expect(resolveWith(config, c.specifier, "src/consumer.ts", c.kind)).toBe(c.expected));

  it("uses the require condition for require()", () => {
    const withCjs = { ...config };
    const cjsExists = (p: string) => exists(p) || p === "src/a.cts";
    expect(short(resolveSpecifier("@me/pkg", "src/x.js", "require", withCjs, cjsExists))).toBe("file:src/a.cts");
  });

  it("a package without `exports` is not resolved to itself", () => {
    const plain = resolverConfigFrom({ packageJson: JSON.stringify({ name: "plain" }) });
    expect(resolveWith(plain, "plain")).toBe("ext:plain");
    expect(resolveWith(plain, "other")).toBe("ext:other:undeclared");
  });
});

describe("helpers", () => {
  it("packageNameOf", () => {
    expect(packageNameOf("lodash")).toBe("lodash");
    expect(packageNameOf("lodash/fp")).toBe("lodash");
    expect(packageNameOf("@scope/name/sub/path")).toBe("@scope/name");
    expect(packageNameOf("node:fs/promises")).toBe("fs");
  });

  it("isBuiltin", () => {
    expect(isBuiltin("fs")).toBe(true);
    expect(isBuiltin("node:sqlite")).toBe(true);
    expect(isBuiltin("path/posix")).toBe(true);
    expect(isBuiltin("lodash")).toBe(false);
    expect(isBuiltin("_http_agent")).toBe(false);
  });

  it("joinRepoPath normalises and refuses to leave the repo", () => {
    expect(joinRepoPath("src/a", "../b/./c")).toBe("src/b/c");
    expect(joinRepoPath("", "x/y")).toBe("x/y");
    expect(joinRepoPath("src", "../..")).toBeNull();
  });
});

describe("resolveSpecifier: what tsc rejects although a file is there", () => {
  const nodeNext = (type: "module" | "commonjs", extra: Record<string, unknown> = {}) =>
    resolverConfigFrom({
      tsconfig: JSON.stringify({ compilerOptions: { module: "NodeNext", ...extra } }),
      packageJson: JSON.stringify({ name: "x", type }),
    });
  const esm = nodeNext("module");
  const cases: { from?: string; specifier: string; kind?: ImportKind; expected: string; config?: ResolverConfig }[] = [
    { specifier: "./a.js", expected: "file:src/a.ts" },
    { specifier: "./types.js", expected: "file:src/types.d.ts" },
    { specifier: "./view.js", expected: "file:src/view.tsx" },
    { specifier: "./data.json", expected: "file:src/data.json" },
    { specifier: "./a", expected: "unresolved" }, // TS2835
    { specifier: "./util", expected: "unresolved" }, // directory import, TS2834
    { specifier: "./util/index.js", expected: "file:src/util/index.ts" },
    { specifier: "./a", kind: "import-type", expected: "unresolved" },
    { specifier: "./a", kind: "require", expected: "file:src/a.ts" }, // `import x = require()` is CommonJS
    { from: "src/consumer.cts", specifier: "./a", expected: "file:src/a.ts" }, // .cts files are CommonJS
    { from: "src/consumer.mts", specifier: "./a", config: nodeNext("commonjs"), expected: "unresolved" }, // .mts always ESM
    { specifier: "./a", config: nodeNext("commonjs"), expected: "file:src/a.ts" }, // .ts in a CommonJS package
    { from: "src/consumer.js", specifier: "./a", expected: "file:src/a.js" }, // JS: bundlers accept it
    { specifier: "./a.ts", expected: "unresolved" }, // TS5097
    { specifier: "./a.ts", config: nodeNext("module", { allowImportingTsExtensions: true, noEmit: true }), expected: "file:src/a.ts" },
    {
      specifier: "./a",
      config: resolverConfigFrom({ tsconfig: JSON.stringify({ compilerOptions: { module: "ESNext", moduleResolution: "Bundler" } }), packageJson: '{"type":"module"}' }),
      expected: "file:src/a.ts",
    },
    { specifier: "./a", config: emptyResolverConfig(), expected: "file:src/a.ts" }, // no tsconfig: lenient
  ];
  for (const c of cases) {
    it(`${c.from ?? "src/consumer.ts"}: ${c.specifier}${c.kind ? ` (${c.kind})` : ""}`, () =>
      expect(resolveWith(c.config ?? esm, c.specifier, c.from, c.kind)).toBe(c.expected));
  }

  it("names the specifier tsc wants", () => {
    const reason = (specifier: string) => {
      const r = resolveSpecifier(specifier, "src/consumer.ts", "import", esm, exists);
      return r.kind === "unresolved" ? r.reason : r.kind;
    };
    expect(reason("./a")).toBe('NodeNext needs the file name with its extension: "./a.js"');
    expect(reason("./util")).toBe('NodeNext needs the file name with its extension: "./util/index.js"');
    expect(reason("./util/")).toBe('NodeNext needs the file name with its extension: "./util/index.js"');
    expect(reason("./esm")).toBe('NodeNext needs the file name with its extension: "./esm.mjs"');
    expect(reason("./a.ts")).toMatch(/allowImportingTsExtensions/);
  });

  it("binds only the files the tsconfig compiles: excluded tests may run under a bundler", () => {
    const config = resolverConfigFrom({
      tsconfig: JSON.stringify({ compilerOptions: { module: "NodeNext" }, include: ["src"], exclude: ["src/**/*.test.ts"] }),
      packageJson: '{"type":"module"}',
    });
    expect(resolveWith(config, "./a", "src/consumer.ts")).toBe("unresolved");
    expect(resolveWith(config, "./a", "src/consumer.test.ts")).toBe("file:src/a.ts");
    expect(resolveWith(config, "../src/a", "scripts/build.ts")).toBe("file:src/a.ts");
  });
});

describe("isInProject", () => {
  const project = (tsconfig: Record<string, unknown>, tsconfigPath?: string) =>
    resolverConfigFrom({ tsconfig: JSON.stringify(tsconfig), ...(tsconfigPath ? { tsconfigPath } : {}) });
  const cases: { name: string; tsconfig: Record<string, unknown>; tsconfigPath?: string; yes: string[]; no: string[] }[] = [
    {
      name: "default: everything but node_modules and outDir",
      tsconfig: { compilerOptions: { outDir: "dist" } },
      yes: ["a.ts", "src/deep/b.ts"],
      no: ["node_modules/x/index.d.ts", "dist/a.d.ts"],
    },
    {
      name: "folder include, pattern exclude",
      tsconfig: { include: ["src"], exclude: ["src/**/*.test.ts", "src/fixtures"] },
      yes: ["src/a.ts", "src/x/y/b.tsx"],
      no: ["test/a.ts", "src/a.test.ts", "src/x/a.test.ts", "src/fixtures/f.ts", "srcs/a.ts"],
    },
    {
      name: "wildcards",
      tsconfig: { include: ["src/**/*.ts", "types/?.d.ts", "./scripts/*"] },
      yes: ["src/a.ts", "src/x/y.ts", "types/g.d.ts", "scripts/build.ts"],
      no: ["src/a.tsx", "types/gg.d.ts", "scripts/x/build.ts"],
    },
    {
      name: "files only",
      tsconfig: { files: ["src/index.ts"] },
      yes: ["src/index.ts"],
      no: ["src/other.ts"],
    },
    {
      name: "a nested tsconfig's specs are relative to its folder",
      tsconfig: { include: ["src"] },
      tsconfigPath: "packages/app/tsconfig.json",
      yes: ["packages/app/src/a.ts"],
      no: ["src/a.ts", "packages/lib/src/a.ts"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const config = project(c.tsconfig, c.tsconfigPath);
      for (const path of c.yes) expect(isInProject(path, config), path).toBe(true);
      for (const path of c.no) expect(isInProject(path, config), path).toBe(false);
    });
  }

  it("without a tsconfig every file counts", () => {
    expect(isInProject("anything.ts", emptyResolverConfig())).toBe(true);
  });
});
