// Pure: module specifier + importing file → a file of the repo, an external package, or unresolved.
// Mirrors what TypeScript (bundler/NodeNext) and Node accept, leniently: extensionless and directory
// imports resolve, `.js` finds `.ts`, tsconfig `paths`/`baseUrl`, and the repo's own package.json
// `exports`/`imports` for self-references and `#internal` specifiers.
import { builtinModules } from "node:module";
import { ts } from "ts-morph";
import type { RepoPath } from "../core/index.js";
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
function probeFile(base: RepoPath, fromFile: RepoPath, exists: (p: RepoPath) => boolean): RepoPath | null {
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

/**
 * Every target of a package.json `exports`/`imports` value that the conditions allow, in object order.
 * All of them, not just the first: `types` often points at build output that is not in the repo while
 * `import` names the source, so the caller takes the first target that exists.
 */
function conditionalTargets(value: unknown, conditions: Set<string>): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap((item) => conditionalTargets(item, conditions));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) => (conditions.has(key) ? conditionalTargets(inner, conditions) : []));
  }
  return [];
}

/** Resolves `subpath` ("." or "./x" or "#x") through an exports/imports map; null when nothing matches. */
function mapSubpath(map: unknown, subpath: string, conditions: Set<string>): string[] | null {
  const targets = mapSubpathTargets(map, subpath, conditions);
  return targets === null || targets.length === 0 ? null : targets;
}

function mapSubpathTargets(map: unknown, subpath: string, conditions: Set<string>): string[] | null {
  if (map === undefined || map === null) return null;
  const isSubpathMap =
    typeof map === "object" && !Array.isArray(map) && Object.keys(map).some((k) => k.startsWith(".") || k.startsWith("#"));
  if (!isSubpathMap) return subpath === "." ? conditionalTargets(map, conditions) : null;
  const entries = Object.entries(map as Record<string, unknown>);
  const exact = entries.find(([key]) => key === subpath);
  if (exact) return conditionalTargets(exact[1], conditions);
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
  const { capture } = best;
  return conditionalTargets(best.target, conditions).map((target) => target.split("*").join(capture));
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
      // `dist/x.js` (or its `x.d.ts`) came from `src/x.ts`, `dist/x.cjs` from `src/x.cts`.
      const output = source.replace(/\.d\.([cm]?)ts$/, ".$1js");
      const stem = output.replace(/\.[cm]?[jt]sx?$/, "");
      const found = probeFile(output, "x.ts", exists) ?? probeFile(stem, fromFile, exists);
      if (found) return found;
    }
  }
  return null;
}

function firstPackageTarget(
  targets: string[],
  fromFile: RepoPath,
  config: ResolverConfig,
  exists: (p: RepoPath) => boolean,
): RepoPath | null {
  for (const target of targets) {
    const path = resolvePackageTarget(target, fromFile, config, exists);
    if (path) return path;
  }
  return null;
}

const TS_SOURCE_EXTENSION = /(?<!\.d)\.[cm]?tsx?$/;
const OUTPUT_FOR_SOURCE: Record<string, string> = { ".ts": ".js", ".tsx": ".js", ".mts": ".mjs", ".cts": ".cjs", ".d.ts": ".js" };

/** Is `fromFile` an ES module as TypeScript's NodeNext sees it: `.mts`, or `.ts` in a `"type": "module"` package. */
function isNodeNextEsm(fromFile: RepoPath, config: ResolverConfig): boolean {
  if (/\.m[jt]s$/.test(fromFile)) return true;
  if (/\.c[jt]s$/.test(fromFile)) return false;
  return config.packageType === "module";
}

/**
 * Why tsc rejects a relative specifier that a lenient lookup found, or null: a TypeScript file naming
 * `./x.ts` without allowImportingTsExtensions (TS5097), and under NodeNext an ES module leaving the
 * extension out or importing a directory (TS2834/TS2835). JS files are left alone: bundlers accept both.
 */
function strictRelativeProblem(
  specifier: string,
  base: RepoPath,
  found: RepoPath,
  fromFile: RepoPath,
  kind: ImportKind,
  config: ResolverConfig,
): string | null {
  if (!isTsFile(fromFile) || kind === "require" || !isInProject(fromFile, config)) return null;
  if (config.allowsTsExtensions === false && TS_SOURCE_EXTENSION.test(specifier)) {
    return "a .ts extension in an import path needs allowImportingTsExtensions";
  }
  if (!config.isNodeNext || !isNodeNextEsm(fromFile, config)) return null;
  // Written as the file itself, or as its output name (`./x.js` for `x.ts`): what NodeNext accepts.
  const swaps = SOURCE_FOR_OUTPUT[extensionOf(base)];
  const stem = base.slice(0, base.length - extensionOf(base).length);
  if (found === base || swaps?.some((swap) => found === stem + swap)) return null;
  const suffix = found.slice(base === "" ? 0 : base.length);
  const foundExt = found.endsWith(".d.ts") ? ".d.ts" : extensionOf(found);
  const fix = `${specifier.replace(/\/$/, "")}${suffix.slice(0, suffix.length - foundExt.length)}${OUTPUT_FOR_SOURCE[foundExt] ?? foundExt}`;
  return `NodeNext needs the file name with its extension: "${fix}"`;
}

/** `path` is one of the files the tsconfig compiles (true when there is no tsconfig to say). */
export function isInProject(path: RepoPath, config: ResolverConfig): boolean {
  const project = config.project;
  if (!project) return true;
  if (project.files.has(path)) return true;
  return project.include.some((re) => re.test(path)) && !project.exclude.some((re) => re.test(path));
}

/**
 * A tsconfig include/exclude spec → a test of repo paths: `**\/` any folders, `*` and `?` within a name,
 * and a spec also covers everything below it when it may name a folder (`"src"`, `"dist"`).
 */
function specToRegExp(spec: string, baseDir: RepoPath): RegExp | null {
  const path = joinRepoPath(baseDir, spec.replace(/\\/g, "/"));
  if (path === null) return null;
  let source = "";
  for (let i = 0; i < path.length; i += 1) {
    const rest = path.slice(i);
    if (rest.startsWith("**/")) {
      source += "(?:[^/]+/)*";
      i += 2;
    } else if (rest === "**") {
      source += ".*";
      i += 1;
    } else if (path[i] === "*") source += "[^/]*";
    else if (path[i] === "?") source += "[^/]";
    else source += path[i]!.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // The tsconfig's own folder as a spec ("." or "") covers the whole repo; a last name without
  // wildcards may be a folder (tsc: "treated as a directory" unless it has an extension or a wildcard).
  if (source === "") return /^/;
  const isFolderLike = !/[*?]/.test(path.slice(path.lastIndexOf("/") + 1));
  return new RegExp(`^${source}${isFolderLike ? "(?:/.*)?" : ""}$`);
}

function projectOf(raw: unknown, baseDir: RepoPath, outDir: RepoPath | null): ResolverConfig["project"] {
  const specs = (key: string): string[] | undefined => {
    const value = (raw as Record<string, unknown> | undefined)?.[key];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
  };
  const files = specs("files");
  const include = specs("include") ?? (files ? [] : ["**/*"]);
  const compile = (list: string[], dir: RepoPath) =>
    list.map((spec) => specToRegExp(spec, dir)).filter((re): re is RegExp => re !== null);
  // tsc's default exclude; outDir is already repo-relative.
  const exclude = specs("exclude")
    ? compile(specs("exclude")!, baseDir)
    : [...compile(["node_modules", "bower_components", "jspm_packages"], baseDir), ...(outDir !== null ? compile([outDir], "") : [])];
  return {
    files: new Set((files ?? []).map((f) => joinRepoPath(baseDir, f)).filter((f): f is RepoPath => f !== null)),
    include: compile(include, baseDir),
    exclude,
  };
}

function isRelativeSpecifier(specifier: string): boolean {
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
    if (!path) return { kind: "unresolved", reason: "no such file" };
    const strictness = strictRelativeProblem(clean, base, path, fromFile, kind, config);
    return strictness ? { kind: "unresolved", reason: strictness } : { kind: "file", path, via: "relative" };
  }
  if (clean.startsWith("/")) return { kind: "unresolved", reason: "absolute path" };

  if (specifier.startsWith("#")) {
    const targets = mapSubpath(config.packageImports, specifier, conditionsFor(kind));
    if (targets === null) {
      return config.packageImports === undefined
        ? { kind: "unresolved", reason: "no package.json imports field" }
        : { kind: "unresolved", reason: "not in package.json imports" };
    }
    // `imports` may map to a package (`"#dep": "lodash"`) instead of a file.
    if (!targets[0]!.startsWith("./")) return external(targets[0]!, config);
    const path = firstPackageTarget(targets, fromFile, config, exists);
    return path ? { kind: "file", path, via: "package-imports" } : { kind: "unresolved", reason: `${targets[0]} not found` };
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
    const targets = mapSubpath(config.packageExports, subpath, conditionsFor(kind));
    if (targets === null) return { kind: "unresolved", reason: `${subpath} is not exported by package.json` };
    const path = firstPackageTarget(targets, fromFile, config, exists);
    return path ? { kind: "file", path, via: "package-exports" } : { kind: "unresolved", reason: `${targets[0]} not found` };
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
  /** Other repo files (JSON): tsconfig `extends` chains inside the repo, workspace package.json files. */
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
      config.packageType = pkg.type === "module" ? "module" : "commonjs";
      config.dependencies = new Set(dependencyNames(pkg));
    }
  }
  // Workspaces: a package's own package.json declares what its files import, and its siblings are
  // imported by name. Any package.json of the repo counts (lenient: a false alarm costs a revert).
  for (const [path, text] of input.files ?? []) {
    if (!path.endsWith("/package.json")) continue;
    if (path.startsWith("node_modules/") || path.includes("/node_modules/")) continue;
    const pkg = parseJsonText(path, text) as Record<string, unknown> | undefined;
    if (!pkg || typeof pkg !== "object" || Array.isArray(pkg)) continue;
    config.dependencies ??= new Set();
    for (const name of dependencyNames(pkg)) config.dependencies.add(name);
    if (typeof pkg.name === "string") config.dependencies.add(pkg.name);
  }
  return config;
}

function dependencyNames(pkg: Record<string, unknown>): string[] {
  return ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((field) => {
    const value = pkg[field];
    return value && typeof value === "object" ? Object.keys(value) : [];
  });
}

/** Virtual root under which repo files appear to TypeScript's config parser. */
const ROOT = "/__repo__";

function readCompilerOptions(
  text: string,
  tsconfigPath: RepoPath,
  files: ReadonlyMap<RepoPath, string> | undefined,
): Pick<ResolverConfig, "paths" | "baseUrl" | "outDir" | "rootDir" | "isNodeNext" | "allowsTsExtensions" | "project"> {
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
  const nodeNextKinds = [ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.NodeNext];
  const moduleResolution =
    options.moduleResolution ??
    (options.module !== undefined && options.module >= ts.ModuleKind.Node16 && options.module <= ts.ModuleKind.NodeNext
      ? ts.ModuleResolutionKind.NodeNext
      : undefined);
  return {
    paths,
    baseUrl: abs(options.baseUrl),
    outDir: abs(options.outDir),
    rootDir: abs(options.rootDir),
    project: projectOf(parsed.raw, dirname(tsconfigPath), abs(options.outDir)),
    isNodeNext: moduleResolution !== undefined && nodeNextKinds.includes(moduleResolution),
    allowsTsExtensions: options.allowImportingTsExtensions === true || options.rewriteRelativeImportExtensions === true,
  };
}
