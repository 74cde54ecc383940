// Plain data of the import graph. Nothing here depends on ts-morph, so every stage may import it.
import type { RepoPath } from "../core/index.js";

export type ImportKind = "import" | "export-from" | "import-type" | "require" | "dynamic-import" | "side-effect";

export interface ImportedName {
  /** Name as the target exports it (`y` in `import { y as z }`). */
  imported: string;
  /** Name bound in the importing file (`z`); for `m.prop` usages of a required module, `m.prop`. */
  local: string;
  typeOnly: boolean;
  /** Collected from `m.prop` accesses on `const m = require(…)`, not declared in the import itself. */
  isUsage?: boolean;
}

export interface ImportRecord {
  specifier: string;
  kind: ImportKind;
  /** Named bindings (never `default`: that sets `default`). */
  names: ImportedName[];
  /** Imports the default export (`import x from`, `import { default as x }`, `export { default } from`). */
  default: boolean;
  /** Binds or re-exports the whole module (`import * as ns`, `export * as ns`, `const m = require()`). */
  namespace: boolean;
  /** `export * from "…"`. */
  star?: boolean;
  /** The whole statement is type-only (`import type …`, `export type … from`). */
  typeOnly?: boolean;
  /** 1-based line of the statement's start, and of its end (multi-line import lists). */
  line: number;
  endLine?: number;
}

export interface ExportInfo {
  /** ESM named exports, including names re-exported from other modules (`export { a } from`, `export * as ns`). */
  names: Set<string>;
  hasDefault: boolean;
  /** Specifiers re-exported wholesale: `export * from "x"`, and `module.exports = require("x")`. */
  star: string[];
  /** The file uses CommonJS exports (module.exports / exports.x / `export =`) and no ESM syntax. */
  commonjs: boolean;
  /** Names CommonJS code assigns: `module.exports = { a }`, `module.exports.a =`, `exports.a =`. */
  cjsNames: Set<string>;
  /** Exports we cannot enumerate (`module.exports = someVar`, spreads, computed keys): never report missing names. */
  isOpaque: boolean;
  /** The file has ESM import/export syntax. */
  isEsm: boolean;
}

export interface ParsedModule {
  imports: ImportRecord[];
  exports: ExportInfo;
  /** First syntax error, when the text does not parse. */
  syntaxError?: { line: number; message: string };
}

export type Resolution =
  | {
      kind: "file";
      path: RepoPath;
      /** Which rule found it. */
      via: "relative" | "paths" | "base-url" | "package-exports" | "package-imports";
    }
  | {
      kind: "external";
      /** `lodash`, `@scope/pkg`, or `node:fs` style builtins as `fs`. */
      packageName: string;
      isBuiltin: boolean;
      /** Listed in package.json dependencies of any kind; null when no package.json was given. */
      isDeclared: boolean | null;
    }
  | {
      kind: "unresolved";
      /** The specifier is relative, an alias that matched, or a `#import`: something inside the repo was meant. */
      reason: string;
    };

export interface ResolvedImport extends ImportRecord {
  resolution: Resolution;
}

export interface ModuleNode {
  path: RepoPath;
  content: string;
  imports: ResolvedImport[];
  exports: ExportInfo;
  /** Resolutions of `exports.star`, index-aligned. */
  starTargets: Resolution[];
  syntaxError?: { line: number; message: string };
}

export interface ImportGraph {
  /** Every parsed JS/TS file. */
  readonly files: ReadonlyMap<RepoPath, ModuleNode>;
  /** Files that exist in the repo but are not parsed (JSON, CSS, assets): imports of them resolve. */
  readonly otherPaths: ReadonlySet<RepoPath>;
  /** Reverse edges: file → files whose imports resolve to it. */
  readonly importers: ReadonlyMap<RepoPath, ReadonlySet<RepoPath>>;
  /** Resolution settings from tsconfig/package.json, kept so updates resolve the same way. */
  readonly resolver: ResolverConfig;
  /** Internal files this file imports (resolved, deduplicated, in import order). */
  dependenciesOf(path: RepoPath): RepoPath[];
  /** Files importing this one, sorted. */
  importersOf(path: RepoPath): RepoPath[];
  /** Strongly connected components of the internal import graph, dependencies before dependants. */
  sccs(): RepoPath[][];
  /** Every bare package name imported anywhere (for compiler shims). */
  externals(): Set<string>;
  /** The snapshot the graph was built from (parsed files only). */
  contents(): Map<RepoPath, string>;
}

export interface PathAlias {
  /** `@app/*` — at most one `*`. */
  pattern: string;
  /** Repo-relative substitutions, `src/*`. */
  targets: string[];
}

export interface ResolverConfig {
  paths: PathAlias[];
  /** Repo-relative baseUrl ("" = root), or null when not set. */
  baseUrl: RepoPath | null;
  /** tsconfig outDir → rootDir, to map a package `exports` target in build output back to source. */
  outDir: RepoPath | null;
  rootDir: RepoPath | null;
  packageName: string | null;
  packageExports: unknown;
  packageImports: unknown;
  /** Every dependency kind, plus `@types/*`; null when no package.json was given. */
  dependencies: Set<string> | null;
  /**
   * tsconfig resolves like Node (`moduleResolution`/`module` node16 or nodenext): relative imports in
   * TypeScript ES modules must name a file (`./x.js`), never `./x` or a directory (TS2834/TS2835).
   */
  isNodeNext?: boolean;
  /** package.json `type`: decides whether a `.ts` file is an ES module under NodeNext. */
  packageType?: "module" | "commonjs";
  /** False when a tsconfig is present without `allowImportingTsExtensions`: `./x.ts` specifiers are errors (TS5097). */
  allowsTsExtensions?: boolean;
  /**
   * The tsconfig's `files`/`include`/`exclude`, as repo-path tests: tsc's import rules bind only the files
   * it compiles (tests left out of a NodeNext project often run under a bundler). Absent: no tsconfig.
   */
  project?: { files: Set<RepoPath>; include: RegExp[]; exclude: RegExp[] };
}
