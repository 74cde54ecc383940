// Every TypeScript project of a repository, as `tsc -b` sees them: each tsconfig that owns a file checks
// it with its own options, `references` are followed (a solution-style root config owns no file itself),
// and a file no project includes is checked with the nearest config's options.
import type { RepoPath } from "../core/index.js";
import type { SharedParses } from "./parse-imports.js";
import { createTsChecker, readConfig, type TsChecker, type TsDiagnostic, type TsEnvironment } from "./ts-program.js";

export interface TsProjectsOptions {
  /** Installed packages (read-only); without it packages are `any` shims and @types are not loaded. */
  environment?: TsEnvironment;
  /** The import graph's parses, for the compiler to reuse (see SharedParses). */
  sharedParses?: SharedParses;
}

/** A changed TypeScript file that got no compiler check, and why. */
export interface UncheckedFile {
  file: RepoPath;
  reason: string;
}

export interface TsProjectsResult {
  diagnostics: TsDiagnostic[];
  unchecked: UncheckedFile[];
}

export interface TsProjectsChecker {
  /** Diagnostics of `scope` (default: every file some project includes), each file checked by the projects that own it. */
  check(files: ReadonlyMap<RepoPath, string>, scope?: Iterable<RepoPath>, externals?: Iterable<string>, onProgress?: () => void): TsProjectsResult;
  /** The configs found in the snapshot, roots first. */
  configs(files: ReadonlyMap<RepoPath, string>): RepoPath[];
}

const isVendored = (p: RepoPath) => p.startsWith("node_modules/") || p.includes("/node_modules/");
const dirOf = (p: RepoPath) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const isTsSource = (p: RepoPath) => /\.(?:[cm]?ts|tsx)$/.test(p) && !/\.d\.[cm]?ts$/.test(p);

/** `tsconfig*.json` files outside node_modules, plus every config a `references` entry names. */
export function findConfigs(files: ReadonlyMap<RepoPath, string>): RepoPath[] {
  const found = new Set<RepoPath>();
  const queue = [...files.keys()].filter((p) => /(^|\/)tsconfig\.json$/.test(p) && !isVendored(p)).sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
  while (queue.length > 0) {
    const config = queue.shift()!;
    if (found.has(config) || !files.has(config)) continue;
    found.add(config);
    for (const ref of referencesOf(files.get(config)!, config, files)) if (!found.has(ref)) queue.push(ref);
  }
  return [...found];
}

const depth = (p: RepoPath) => p.split("/").length;

/** The config files a tsconfig's `references` point at (a folder means its tsconfig.json). */
function referencesOf(text: string, config: RepoPath, files: ReadonlyMap<RepoPath, string>): RepoPath[] {
  const parsed = readConfig(text, config, files);
  const out: RepoPath[] = [];
  for (const ref of parsed.projectReferences ?? []) {
    const target = ref.path.startsWith("/repo/") ? ref.path.slice("/repo/".length) : ref.path;
    const normalized = target.replace(/\/$/, "");
    out.push(normalized.endsWith(".json") ? normalized : `${normalized}/tsconfig.json`);
  }
  return out;
}

export function createTsProjectsChecker(options: TsProjectsOptions = {}): TsProjectsChecker {
  const checkers = new Map<string, TsChecker>();
  const diskCache = new Map<string, string | null>();
  const checkerFor = (config: RepoPath, orphans: boolean): TsChecker => {
    const key = `${config}\0${orphans}`;
    let checker = checkers.get(key);
    if (!checker) {
      const opts: Parameters<typeof createTsChecker>[0] = { tsconfigPath: config, rootsFromScope: orphans, diskCache };
      if (options.environment) opts.environment = options.environment;
      if (options.sharedParses) opts.sharedParses = options.sharedParses;
      checker = createTsChecker(opts);
      checkers.set(key, checker);
    }
    return checker;
  };
  // Which files each config includes, per snapshot of the configs' and files' names.
  let ownersKey = "";
  let owners = new Map<RepoPath, Set<RepoPath>>();

  return {
    configs: findConfigs,
    check(files, scope, externals, onProgress) {
      const configs = findConfigs(files);
      const key = `${configs.map((c) => `${c}\0${files.get(c)}`).join("\0")}\0${files.size}`;
      if (key !== ownersKey) {
        owners = new Map();
        for (const config of configs) {
          const parsed = readConfig(files.get(config)!, config, files);
          owners.set(config, new Set(parsed.fileNames.map((f) => f.slice("/repo/".length))));
        }
        ownersKey = key;
      }
      const unchecked: UncheckedFile[] = [];
      const perProject = new Map<RepoPath, RepoPath[]>();
      const perOrphanConfig = new Map<RepoPath, RepoPath[]>();
      const add = (map: Map<RepoPath, RepoPath[]>, k: RepoPath, f: RepoPath) => {
        const list = map.get(k) ?? [];
        list.push(f);
        map.set(k, list);
      };
      const wanted = scope ? [...new Set(scope)] : null;
      if (wanted === null) {
        for (const config of configs) if (owners.get(config)!.size > 0) perProject.set(config, [...owners.get(config)!]);
      } else {
        for (const file of wanted) {
          if (!files.has(file)) continue;
          const owning = configs.filter((c) => owners.get(c)!.has(file));
          for (const config of owning) add(perProject, config, file);
          if (owning.length > 0 || !isTsSource(file)) continue;
          const nearest = nearestConfig(file, configs);
          if (nearest === null) unchecked.push({ file, reason: "no tsconfig.json in its folder or above" });
          else add(perOrphanConfig, nearest, file);
        }
      }
      const seen = new Set<string>();
      const diagnostics: TsDiagnostic[] = [];
      const collect = (list: TsDiagnostic[]) => {
        for (const d of list) {
          const id = `${d.file}\0${d.line}\0${d.code}\0${d.message}`;
          if (seen.has(id)) continue;
          seen.add(id);
          diagnostics.push(d);
        }
      };
      for (const [config, subset] of perProject) collect(checkerFor(config, false).check(files, wanted ? subset : undefined, externals, onProgress));
      for (const [config, subset] of perOrphanConfig) collect(checkerFor(config, true).check(files, subset, externals, onProgress));
      diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.code - b.code));
      return { diagnostics, unchecked };
    },
  };
}

/** The config in the file's folder or the closest one above it. */
function nearestConfig(file: RepoPath, configs: readonly RepoPath[]): RepoPath | null {
  let dir = dirOf(file);
  for (;;) {
    const candidate = dir === "" ? "tsconfig.json" : `${dir}/tsconfig.json`;
    if (configs.includes(candidate)) return candidate;
    if (dir === "") return null;
    dir = dirOf(dir);
  }
}
