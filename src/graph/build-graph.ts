// Files in memory → import graph: every JS/TS file parsed once (TypeScript parser, no checker),
// its specifiers resolved against the repo's own file list, reverse edges and cycles on demand.
// Incremental: updateGraph re-parses only the files whose text changed.
import type { RepoPath } from "../core/index.js";
import { isParsablePath, parseModule, type SharedParses } from "./parse-imports.js";
import { resolveSpecifier, resolverConfigFrom, type ResolverConfigInput } from "./resolve-specifier.js";
import { stronglyConnectedComponents } from "./scc.js";
import type { ImportGraph, ModuleNode, ParsedModule, ResolverConfig, Resolution } from "./types.js";

export interface BuildGraphOptions {
  /** Contents of the root tsconfig.json; default: `files.get("tsconfig.json")`, else `jsconfig.json`. */
  tsconfig?: string;
  /** @default "tsconfig.json" */
  tsconfigPath?: RepoPath;
  /** Contents of the root package.json; default: `files.get("package.json")`. */
  packageJson?: string;
  /** Paths that exist in the repo but are not in `files` (assets, JSON, skipped files): imports of them resolve. */
  otherPaths?: Iterable<RepoPath>;
  /** Keep TypeScript files' parses here for the compiler (see SharedParses); updateGraph adds its re-parses too. */
  sharedParses?: SharedParses;
  /** Parses of these same texts (parseModules), used as they are instead of parsing again. */
  parsed?: ReadonlyMap<RepoPath, ParsedModule>;
}

interface GraphState {
  nodes: Map<RepoPath, ModuleNode>;
  /** Parse results by path, reused while the text is the same. */
  parsed: Map<RepoPath, ParsedModule>;
  /** Every non-parsed file: their contents matter only for tsconfig/package.json. */
  others: Map<RepoPath, string | null>;
  resolver: ResolverConfig;
  options: BuildGraphOptions;
}

const states = new WeakMap<ImportGraph, GraphState>();

/**
 * Builds the import graph of a snapshot.
 * - parses each JS/TS file in `files` (other files only count as existing),
 * - resolves specifiers with tsconfig `paths`/`baseUrl` and package.json `exports`/`imports`,
 * - records reverse edges; `sccs()` groups import cycles.
 */
export function buildImportGraph(files: ReadonlyMap<RepoPath, string>, opts: BuildGraphOptions = {}): ImportGraph {
  const others = new Map<RepoPath, string | null>();
  for (const path of opts.otherPaths ?? []) others.set(path, null);
  const parsed = new Map<RepoPath, ParsedModule>();
  const contents = new Map<RepoPath, string>();
  for (const [path, text] of files) {
    if (isParsablePath(path)) {
      contents.set(path, text);
      parsed.set(path, opts.parsed?.get(path) ?? parseModule(path, text, opts.sharedParses));
    } else others.set(path, text);
  }
  const resolver = resolverConfigFrom(configInput(opts, others));
  const nodes = new Map<RepoPath, ModuleNode>();
  const exists = existsIn(contents, others);
  for (const [path, text] of contents) nodes.set(path, resolveNode(path, text, parsed.get(path)!, resolver, exists));
  return makeGraph({ nodes, parsed, others, resolver, options: opts });
}

/** The event loop is handed back after this much parsing (issue 17: a terminal's clock must not stop for 1 s). */
const SLICE_MS = 50;

/**
 * Parses the JS/TS files of `files` as buildImportGraph does, handing the event loop back every SLICE_MS:
 * at 3,500 files the parse alone held it ~1 s. Pass the result to buildImportGraph as `parsed`.
 */
export async function parseModules(files: ReadonlyMap<RepoPath, string>, sharedParses?: SharedParses): Promise<Map<RepoPath, ParsedModule>> {
  const parsed = new Map<RepoPath, ParsedModule>();
  let sliceStart = performance.now();
  for (const [path, text] of files) {
    if (!isParsablePath(path)) continue;
    parsed.set(path, parseModule(path, text, sharedParses));
    if (performance.now() - sliceStart < SLICE_MS) continue;
    await new Promise(setImmediate);
    sliceStart = performance.now();
  }
  return parsed;
}

/**
 * A new graph with `changed` files written (added or modified) and `removed` files deleted.
 * Only changed files are re-parsed; other files are re-resolved only when the set of paths changed,
 * and everything is rebuilt when tsconfig.json or package.json changed.
 */
export function updateGraph(
  graph: ImportGraph,
  changed: ReadonlyMap<RepoPath, string>,
  removed: Iterable<RepoPath> = [],
): ImportGraph {
  const state = states.get(graph);
  if (!state) throw new TypeError("updateGraph: expected a graph built by buildImportGraph");
  const removedSet = new Set(removed);
  const configPaths = new Set([state.options.tsconfigPath ?? "tsconfig.json", "jsconfig.json", "package.json"]);
  const touchesConfig = [...changed.keys(), ...removedSet].some((p) => configPaths.has(p) || p.endsWith(".json"));

  const nodes = new Map(state.nodes);
  const parsed = new Map(state.parsed);
  const others = new Map(state.others);
  let pathSetChanged = false;
  const reparsed: RepoPath[] = [];

  for (const path of removedSet) {
    if (nodes.delete(path) || others.delete(path)) pathSetChanged = true;
    parsed.delete(path);
  }
  for (const [path, text] of changed) {
    if (!isParsablePath(path)) {
      if (!others.has(path)) pathSetChanged = true;
      others.set(path, text);
      continue;
    }
    const old = nodes.get(path);
    if (!old) pathSetChanged = true;
    if (old && old.content === text) continue;
    parsed.set(path, parseModule(path, text, state.options.sharedParses));
    nodes.set(path, { ...(old ?? emptyNode(path)), content: text });
    reparsed.push(path);
  }

  const resolver =
    touchesConfig && configInputChanged(state, others) ? resolverConfigFrom(configInput(state.options, others)) : state.resolver;
  const contents = new Map<RepoPath, string>();
  for (const [path, node] of nodes) contents.set(path, node.content);
  const exists = existsIn(contents, others);
  // New or deleted paths can change what any specifier resolves to; resolution is cheap next to parsing.
  const toResolve = pathSetChanged || resolver !== state.resolver ? [...nodes.keys()] : reparsed;
  for (const path of toResolve) {
    const node = nodes.get(path)!;
    nodes.set(path, resolveNode(path, node.content, parsed.get(path)!, resolver, exists));
  }
  return makeGraph({ nodes, parsed, others, resolver, options: state.options });
}

function emptyNode(path: RepoPath): ModuleNode {
  return {
    path,
    content: "",
    imports: [],
    exports: {
      names: new Set(),
      hasDefault: false,
      star: [],
      commonjs: false,
      cjsNames: new Set(),
      isOpaque: false,
      isEsm: false,
    },
    starTargets: [],
  };
}

function configInput(opts: BuildGraphOptions, others: Map<RepoPath, string | null>): ResolverConfigInput {
  const textOf = (path: RepoPath) => others.get(path) ?? undefined;
  const tsconfigPath = opts.tsconfigPath ?? "tsconfig.json";
  const files = new Map<RepoPath, string>();
  for (const [path, text] of others) if (text !== null && path.endsWith(".json")) files.set(path, text);
  return {
    tsconfig: opts.tsconfig ?? textOf(tsconfigPath) ?? textOf("jsconfig.json"),
    tsconfigPath: opts.tsconfig === undefined && textOf(tsconfigPath) === undefined && textOf("jsconfig.json") !== undefined
      ? "jsconfig.json"
      : tsconfigPath,
    packageJson: opts.packageJson ?? textOf("package.json"),
    files,
  };
}

function configInputChanged(state: GraphState, others: Map<RepoPath, string | null>): boolean {
  const before = configInput(state.options, state.others);
  const after = configInput(state.options, others);
  if (before.tsconfig !== after.tsconfig || before.packageJson !== after.packageJson) return true;
  // An `extends` target changed: compare every JSON text.
  if (before.files!.size !== after.files!.size) return true;
  for (const [path, text] of after.files!) if (before.files!.get(path) !== text) return true;
  return false;
}

function existsIn(contents: Map<RepoPath, string>, others: Map<RepoPath, string | null>): (p: RepoPath) => boolean {
  return (p) => contents.has(p) || others.has(p);
}

function resolveNode(
  path: RepoPath,
  content: string,
  parsed: ParsedModule,
  resolver: ResolverConfig,
  exists: (p: RepoPath) => boolean,
): ModuleNode {
  const cache = new Map<string, Resolution>();
  const resolve = (specifier: string, kind: Parameters<typeof resolveSpecifier>[2]): Resolution => {
    const key = `${kind === "require" ? "r" : "i"}:${specifier}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = resolveSpecifier(specifier, path, kind, resolver, exists);
      cache.set(key, hit);
    }
    return hit;
  };
  const node: ModuleNode = {
    path,
    content,
    imports: parsed.imports.map((record) => ({ ...record, resolution: resolve(record.specifier, record.kind) })),
    exports: parsed.exports,
    starTargets: parsed.exports.star.map((specifier) =>
      resolve(specifier, parsed.exports.commonjs ? "require" : "export-from"),
    ),
  };
  if (parsed.syntaxError) node.syntaxError = parsed.syntaxError;
  return node;
}

function makeGraph(state: GraphState): ImportGraph {
  const { nodes } = state;
  const importers = new Map<RepoPath, Set<RepoPath>>();
  const dependencies = new Map<RepoPath, RepoPath[]>();
  for (const [path, node] of nodes) {
    const deps: RepoPath[] = [];
    const seen = new Set<RepoPath>();
    for (const resolution of [...node.imports.map((i) => i.resolution), ...node.starTargets]) {
      if (resolution.kind !== "file" || seen.has(resolution.path)) continue;
      seen.add(resolution.path);
      deps.push(resolution.path);
      let set = importers.get(resolution.path);
      if (!set) importers.set(resolution.path, (set = new Set()));
      set.add(path);
    }
    dependencies.set(path, deps);
  }
  const otherPaths = new Set(state.others.keys());
  let sccCache: RepoPath[][] | null = null;

  const graph: ImportGraph = {
    files: nodes,
    otherPaths,
    importers,
    resolver: state.resolver,
    dependenciesOf: (path) => dependencies.get(path) ?? [],
    importersOf: (path) => [...(importers.get(path) ?? [])].sort(),
    sccs: () => {
      if (!sccCache) {
        const all = [...nodes.keys()].sort();
        sccCache = stronglyConnectedComponents(all, (p) => (dependencies.get(p) ?? []).filter((d) => nodes.has(d)));
      }
      return sccCache.map((c) => [...c]);
    },
    externals: () => {
      const names = new Set<string>();
      for (const node of nodes.values()) {
        for (const { resolution, specifier } of node.imports) {
          if (resolution.kind !== "external") continue;
          // Keep the `node:` prefix: `declare module "fs"` does not cover `node:fs`.
          names.add(specifier.startsWith("node:") ? `node:${resolution.packageName}` : resolution.packageName);
        }
      }
      return names;
    },
    contents: () => {
      const map = new Map<RepoPath, string>();
      for (const [path, node] of nodes) map.set(path, node.content);
      return map;
    },
  };
  states.set(graph, state);
  return graph;
}
