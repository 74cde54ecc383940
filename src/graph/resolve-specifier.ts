// Pure: module specifier + importing file → a file of the repo, an external package, or unresolved.
// Mirrors what TypeScript (bundler/NodeNext) and Node accept, leniently: extensionless and directory
// imports resolve, `.js` finds `.ts`, tsconfig `paths`/`baseUrl`, and the repo's own package.json
// `exports`/`imports` for self-references and `#internal` specifiers.
import { builtinModules } from "node:module";
import { ts } from "ts-morph";
import type { RepoPath } from "../core/types.js";
import type { ImportKind, PathAlias, Resolution, ResolverConfig } from "./types.js";

const TS_FIRST = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".json"];
const JS_FIRST = [".js", ".jsx", ".ts", ".tsx", ".d.ts", ".mjs", ".cjs", ".mts", ".cts", ".json"];
/** What a `.js`-style specifier may stand for in TypeScript source (NodeNext writes the output name). */
const SOURCE_FOR_OUTPUT: Record<string, string[]> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".jsx": [".tsx", ".d.ts"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
};
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

export function emptyResolverConfig(): ResolverConfig {
  return {
    paths: [],
    baseUrl: null,
    outDir: null,
    rootDir: null,
    packageName: null,
    packageExports: undefined,
    packageImports: undefined,
    dependencies: null,
  };
}

function isTsFile(path: string): boolean {
  return /\.[cm]?tsx?$/.test(path);
}

function dirname(path: RepoPath): RepoPath {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Joins and normalises POSIX segments; null when the result leaves the repo. */
export function joinRepoPath(base: RepoPath, relative: string): RepoPath | null {
  const out: string[] = base === "" ? [] : base.split("/");
  for (const segment of relative.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(segment);
  }
  return out.join("/");
}

function extensionOf(path: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return dot > slash ? path.slice(dot) : "";
}

/**
 * Finds the file a repo path stands for: exact file, `.js`→`.ts` swaps, added extensions, `/index.*`.
 * `exists` answers for every file of the repo, parsed or not.
 */
export function probeFile(base: RepoPath, fromFile: RepoPath, exists: (p: RepoPath) => boolean): RepoPath | null {
  const preferTs = isTsFile(fromFile);
  const ext = extensionOf(base);
  const swaps = SOURCE_FOR_OUTPUT[ext];
  if (swaps) {
    const stem = base.slice(0, -ext.length);
    // A TypeScript importer means the `.ts` source (tsc's rule); a JS importer means the file as written.
    if (!preferTs && exists(base)) return base;
    for (const swap of swaps) if (exists(stem + swap)) return stem + swap;
  }
  if (ext !== "" && exists(base)) return base;
  const order = preferTs ? TS_FIRST : JS_FIRST;
  if (base !== "") for (const candidate of order) if (exists(base + candidate)) return base + candidate;
  const indexBase = base === "" ? "index" : `${base}/index`;
  for (const candidate of order) if (exists(indexBase + candidate)) return indexBase + candidate;
  return null;
}

/** `@scope/name/sub` → `@scope/name`; `lodash/fp` → `lodash`; `node:fs` → `fs`. */
export function packageNameOf(specifier: string): string {
  const bare = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  const parts = bare.split("/");
  if (bare.startsWith("@") && parts.length >= 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] ?? bare;
}

function typesPackageFor(name: string): string {
  return name.startsWith("@") ? `@types/${name.slice(1).replace("/", "__")}` : `@types/${name}`;
}

export function isBuiltin(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  return BUILTINS.has(specifier) || BUILTINS.has(packageNameOf(specifier));
}

/** Matches `pattern` (at most one `*`) against `specifier`; returns the `*` capture or null. */
function matchPattern(pattern: string, specifier: string): string | null {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === specifier ? "" : null;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (specifier.length < prefix.length + suffix.length) return null;
  if (!specifier.startsWith(prefix) || !specifier.endsWith(suffix)) return null;
  return specifier.slice(prefix.length, specifier.length - suffix.length);
}

/** tsconfig `paths`: the longest matching prefix wins, as in TypeScript. */
function matchAlias(paths: PathAlias[], specifier: string): { alias: PathAlias; capture: string } | null {
  let best: { alias: PathAlias; capture: string; prefixLength: number } | null = null;
  for (const alias of paths) {
    const capture = matchPattern(alias.pattern, specifier);
    if (capture === null) continue;
    const prefixLength = alias.pattern.indexOf("*") < 0 ? Infinity : alias.pattern.indexOf("*");
    if (!best || prefixLength > best.prefixLength) best = { alias, capture, prefixLength };
  }
  return best;
}

/** Picks a target out of a package.json `exports`/`imports` value, following conditions in object order. */
function conditionalTarget(value: unknown, conditions: Set<string>): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = conditionalTarget(item, conditions);
      if (target !== null) return target;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (!conditions.has(key)) continue;
      const target = conditionalTarget(inner, conditions);
      if (target !== null) return target;
    }
  }
  return null;
}

/** Resolves `subpath` ("." or "./x" or "#x") through an exports/imports map; null when nothing matches. */
function mapSubpath(map: unknown, subpath: string, conditions: Set<string>): string | null {
  if (map === undefined || map === null) return null;
  const isSubpathMap =
    typeof map === "object" && !Array.isArray(map) && Object.keys(map).some((k) => k.startsWith(".") || k.startsWith("#"));
  if (!isSubpathMap) return subpath === "." ? conditionalTarget(map, conditions) : null;
  const entries = Object.entries(map as Record<string, unknown>);
  const exact = entries.find(([key]) => key === subpath);
  if (exact) return conditionalTarget(exact[1], conditions);
  // Pattern keys: the longest prefix before `*` wins (Node's PATTERN_KEY_COMPARE).
  let best: { target: unknown; capture: string; prefixLength: number } | null = null;
  for (const [key, target] of entries) {
    if (!key.includes("*")) continue;
    const capture = matchPattern(key, subpath);
    if (capture === null) continue;
    const prefixLength = key.indexOf("*");
    if (!best || prefixLength > best.prefixLength) best = { target, capture, prefixLength };
  }
  if (!best) return null;
  const target = conditionalTarget(best.target, conditions);
  return target === null ? null : target.split("*").join(best.capture);
}

function conditionsFor(kind: ImportKind): Set<string> {
  const base = ["types", "node", "default", "module", "development"];
  return new Set([...base, kind === "require" ? "require" : "import"]);
}

/** A target from package.json (`./dist/x.js`) → the repo file it stands for, mapping build output back to source. */
function resolvePackageTarget(
  target: string,
  fromFile: RepoPath,
  config: ResolverConfig,
  exists: (p: RepoPath) => boolean,
): RepoPath | null {
  if (!target.startsWith("./")) return null;
  const path = joinRepoPath("", target);
  if (path === null) return null;
  const direct = probeFile(path, fromFile, exists);
  if (direct) return direct;
  const { outDir, rootDir } = config;
  const outputDir = outDir ?? "dist";
  if (path === outputDir || path.startsWith(`${outputDir}/`)) {
    const rest = path.slice(outputDir.length).replace(/^\//, "");
    // Without a rootDir, tsc uses the sources' common root: most often `src`, else the repo root.
    for (const root of rootDir !== null ? [rootDir] : ["src", ""]) {
      const source = joinRepoPath(root, rest);
      if (source === null) continue;
      // `dist/x.js` (or its `x.d.ts`) came from `src/x.ts`.
      const stem = source.replace(/(\.d)?\.[cm]?[jt]sx?$/, "");
      const found = probeFile(`${stem}.js`, "x.ts", exists) ?? probeFile(stem, fromFile, exists);
      if (found) return found;
    }
  }
  return null;
}

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier === "." || specifier === ".." || specifier.startsWith("./") || specifier.startsWith("../");
}

/**
 * Resolves one specifier. `exists` must answer for every file in the repo (parsed or not).
 * Unresolved means "meant a repo file and none is there"; unknown bare names are external.
 */
export function resolveSpecifier(
  specifier: string,
  fromFile: RepoPath,
  kind: ImportKind,
  config: ResolverConfig,
  exists: (p: RepoPath) => boolean,
): Resolution {
  // Query strings (`./x.css?inline`) belong to bundlers; judge the path part.
  const clean = specifier.startsWith("#") ? specifier : specifier.replace(/\?.*$/, "");
  if (isRelativeSpecifier(clean)) {
    const base = joinRepoPath(dirname(fromFile), clean);
    if (base === null) return { kind: "unresolved", reason: "points outside the repository" };
    const path = probeFile(base, fromFile, exists);
    return path ? { kind: "file", path, via: "relative" } : { kind: "unresolved", reason: "no such file" };
  }
  if (clean.startsWith("/")) return { kind: "unresolved", reason: "absolute path" };

  if (specifier.startsWith("#")) {
    const target = mapSubpath(config.packageImports, specifier, conditionsFor(kind));
    if (target === null) {
      return config.packageImports === undefined
        ? { kind: "unresolved", reason: "no package.json imports field" }
        : { kind: "unresolved", reason: "not in package.json imports" };
    }
    if (!target.startsWith("./")) return external(target, config);
    const path = resolvePackageTarget(target, fromFile, config, exists);
    return path ? { kind: "file", path, via: "package-imports" } : { kind: "unresolved", reason: `${target} not found` };
  }

  const alias = matchAlias(config.paths, clean);
  if (alias) {
    for (const target of alias.alias.targets) {
      const substituted = target.split("*").join(alias.capture);
      const base = joinRepoPath("", substituted);
      const path = base === null ? null : probeFile(base, fromFile, exists);
      if (path) return { kind: "file", path, via: "paths" };
    }
    // A `paths` entry is the project's own alias; if none of its targets exists the import is broken,
    // unless the alias is a catch-all (`*`) that also covers real packages.
    if (alias.alias.pattern !== "*") return { kind: "unresolved", reason: `no file for alias ${alias.alias.pattern}` };
  }

  if (config.baseUrl !== null && !isBuiltin(clean)) {
    const base = joinRepoPath(config.baseUrl, clean);
    const path = base === null ? null : probeFile(base, fromFile, exists);
    if (path) return { kind: "file", path, via: "base-url" };
  }

  const name = packageNameOf(clean);
  if (config.packageName !== null && name === config.packageName && config.packageExports !== undefined) {
    const subpath = clean === name ? "." : `.${clean.slice(name.length)}`;
    const target = mapSubpath(config.packageExports, subpath, conditionsFor(kind));
    if (target === null) return { kind: "unresolved", reason: `${subpath} is not exported by package.json` };
    const path = resolvePackageTarget(target, fromFile, config, exists);
    return path ? { kind: "file", path, via: "package-exports" } : { kind: "unresolved", reason: `${target} not found` };
  }
  return external(clean, config);
}

function external(specifier: string, config: ResolverConfig): Resolution {
  const builtin = isBuiltin(specifier);
  const packageName = packageNameOf(specifier);
  const deps = config.dependencies;
  const isDeclared =
    builtin || deps === null
      ? builtin || null
      : deps.has(packageName) || deps.has(typesPackageFor(packageName)) || packageName === config.packageName;
  return { kind: "external", packageName, isBuiltin: builtin, isDeclared };
}

// --- configuration from tsconfig.json and package.json contents -------------------------------------------

function parseJsonText(path: string, text: string): unknown {
  // TypeScript's reader accepts comments and trailing commas, like tsc does for tsconfig files.
  const result = ts.parseConfigFileTextToJson(path, text);
  return result.error ? undefined : result.config;
}

export interface ResolverConfigInput {
  /** Contents of the root tsconfig.json (or jsconfig.json). */
  tsconfig?: string;
  /** Where that tsconfig lives; default `tsconfig.json`. */
  tsconfigPath?: RepoPath;
  /** Contents of the root package.json. */
  packageJson?: string;
  /** Other repo files, for tsconfig `extends` chains inside the repo. */
  files?: ReadonlyMap<RepoPath, string>;
}

/** Reads tsconfig (following `extends` inside the repo) and package.json into the resolver's settings. */
export function resolverConfigFrom(input: ResolverConfigInput): ResolverConfig {
  const config = emptyResolverConfig();
  if (input.tsconfig !== undefined) {
    const options = readCompilerOptions(input.tsconfig, input.tsconfigPath ?? "tsconfig.json", input.files);
    Object.assign(config, options);
  }
  if (input.packageJson !== undefined) {
    const pkg = parseJsonText("package.json", input.packageJson) as Record<string, unknown> | undefined;
    if (pkg && typeof pkg === "object") {
      config.packageName = typeof pkg.name === "string" ? pkg.name : null;
      config.packageExports = pkg.exports;
      config.packageImports = pkg.imports;
      const deps = new Set<string>();
      for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
        const value = pkg[field];
        if (value && typeof value === "object") for (const name of Object.keys(value)) deps.add(name);
      }
      config.dependencies = deps;
    }
  }
  return config;
}

/** Virtual root under which repo files appear to TypeScript's config parser. */
const ROOT = "/__repo__";

function readCompilerOptions(
  text: string,
  tsconfigPath: RepoPath,
  files: ReadonlyMap<RepoPath, string> | undefined,
): Pick<ResolverConfig, "paths" | "baseUrl" | "outDir" | "rootDir"> {
  const toRepo = (absolute: string): RepoPath | null => {
    if (absolute === ROOT) return "";
    return absolute.startsWith(`${ROOT}/`) ? absolute.slice(ROOT.length + 1) : null;
  };
  const configFile = ts.parseJsonText(`${ROOT}/${tsconfigPath}`, text);
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: true,
    readDirectory: () => [],
    fileExists: (p) => {
      const repo = toRepo(p);
      return repo !== null && (repo === tsconfigPath || (files?.has(repo) ?? false));
    },
    readFile: (p) => {
      const repo = toRepo(p);
      if (repo === null) return undefined;
      return repo === tsconfigPath ? text : files?.get(repo);
    },
  };
  const parsed = ts.parseJsonSourceFileConfigFileContent(configFile, host, `${ROOT}/${dirname(tsconfigPath)}`.replace(/\/$/, ""));
  const options = parsed.options;
  const pathsBase =
    (options as { pathsBasePath?: string }).pathsBasePath ?? options.baseUrl ?? `${ROOT}/${dirname(tsconfigPath)}`;
  const baseRepo = toRepo(pathsBase.replace(/\/$/, "")) ?? "";
  const paths: PathAlias[] = [];
  for (const [pattern, targets] of Object.entries(options.paths ?? {})) {
    const resolved = targets
      .map((t) => (t.startsWith("/") ? toRepo(t) : joinRepoPath(baseRepo, t)))
      .filter((t): t is RepoPath => t !== null);
    paths.push({ pattern, targets: resolved });
  }
  const abs = (p: string | undefined) => (p === undefined ? null : toRepo(p.replace(/\/$/, "")));
  return {
    paths,
    baseUrl: abs(options.baseUrl),
    outDir: abs(options.outDir),
    rootDir: abs(options.rootDir),
  };
}
