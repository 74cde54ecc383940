// The TypeScript compiler over an in-memory snapshot of the repo. A plain ts.Program over a map-backed
// host (ts-morph's Project wrapper costs about twice the CPU on 5,000 files); ts-morph supplies the
// compiler and the lib .d.ts files. Incremental: parsed files and the previous program are reused.
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import nodePath from "node:path";
import { Project, ts } from "ts-morph";
import type { RepoPath } from "../core/index.js";
import { COMPILER_ROOT, isParsablePath, type SharedParses } from "./parse-imports.js";

export interface TsDiagnostic {
  file: RepoPath;
  /** 1-based. */
  line: number;
  /** TypeScript's error number, e.g. 2305. */
  code: number;
  message: string;
}

/**
 * The repository's installed packages, read from disk and never written: with them, imports of packages and
 * @types resolve as they do for `tsc`, and every diagnostic means what it says.
 */
export interface TsEnvironment {
  /** Absolute path of the user's working tree (or workspace root) holding node_modules. */
  root: string;
}

export interface TsCheckerOptions {
  /** Contents of the tsconfig.json that defines the project. @default read from the snapshot at check time */
  tsconfig?: string;
  /** @default "tsconfig.json" */
  tsconfigPath?: RepoPath;
  /**
   * Bare package specifiers the code imports (`lodash`, `node:fs`). node_modules is not loaded, so
   * each gets an ambient `declare module` shim: imports of packages type as `any` instead of failing.
   * `check` may add more.
   */
  externals?: Iterable<string>;
  /** Installed packages; without it packages are shimmed as `any` and @types are not loaded. */
  environment?: TsEnvironment;
  /** Check every scope file with this config's options even when the config does not include it. */
  rootsFromScope?: boolean;
  /** Disk reads of node_modules, shared by the checkers of one run (the packages do not change during it). */
  diskCache?: Map<string, string | null>;
  /** The import graph's parses of TypeScript files, taken instead of parsing them again where they fit. */
  sharedParses?: SharedParses;
}

export interface TsChecker {
  /**
   * Diagnostics of the project's files for this snapshot, restricted to `scope` when given. Files the
   * tsconfig does not include are not checked unless an included file imports them (as with tsc).
   */
  check(files: ReadonlyMap<RepoPath, string>, scope?: Iterable<RepoPath>, externals?: Iterable<string>, onProgress?: () => void): TsDiagnostic[];
}

const ROOT = COMPILER_ROOT;
const SHIM_PATH = `${ROOT}/__swarm_externals__.d.ts`;
/** Where ts-morph's in-memory file system keeps the lib .d.ts files. */
const LIB_DIR = "/node_modules/typescript/lib";

/** Versions of one file kept parsed: HEAD, the agent's, a repair's. */
const MAX_VERSIONS = 3;

const toAbsolute = (path: RepoPath) => `${ROOT}/${path}`;
const toRepo = (absolute: string): RepoPath | null =>
  absolute.startsWith(`${ROOT}/`) ? absolute.slice(ROOT.length + 1) : null;

/** Module kinds that make ts-morph misjudge ESM files as CommonJS (ts-morph#1446, #1667). */
function isNodeModuleKind(kind: ts.ModuleKind | undefined): boolean {
  return kind !== undefined && kind >= ts.ModuleKind.Node16 && kind <= ts.ModuleKind.NodeNext;
}

function effectiveOptions(parsed: ts.CompilerOptions, hasEnvironment: boolean): ts.CompilerOptions {
  const options: ts.CompilerOptions = {
    ...parsed,
    noEmit: true,
    // Lib checking dominates compile time and says nothing about the repo's code.
    skipLibCheck: true,
    // Project references point at built outputs; the checker reads the sources they come from instead.
    composite: false,
    incremental: false,
  };
  delete options.tsBuildInfoFile;
  // Without node_modules there are no @types to load.
  if (!hasEnvironment) Object.assign(options, { types: [], typeRoots: [] });
  delete options.configFilePath;
  if (
    isNodeModuleKind(options.module) ||
    options.moduleResolution === ts.ModuleResolutionKind.Node16 ||
    options.moduleResolution === ts.ModuleResolutionKind.NodeNext
  ) {
    // Without package.json-aware module formats (ts-morph treats NodeNext .ts files as CommonJS and reports
    // false TS1470/TS1479), bundler resolution gives the same answers for the repo's own specifiers (deps.md §3.5).
    options.module = ts.ModuleKind.ESNext;
    options.moduleResolution = ts.ModuleResolutionKind.Bundler;
  }
  return options;
}

/**
 * Parsed lib .d.ts files for a target/lib setting, taken once from a throwaway ts-morph project: ts-morph
 * bundles them in memory, node_modules/typescript may not be there.
 */
const libCache = new Map<string, Map<string, ts.SourceFile>>();

function libFilesFor(options: ts.CompilerOptions): Map<string, ts.SourceFile> {
  const key = JSON.stringify([options.target ?? null, options.lib ?? null, options.noLib ?? false]);
  const cached = libCache.get(key);
  if (cached) return cached;
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: options.target, lib: options.lib, noLib: options.noLib, types: [], skipLibCheck: true },
  });
  project.createSourceFile("/__probe__.ts", "export {};\n");
  const files = new Map<string, ts.SourceFile>();
  for (const sourceFile of project.getProgram().compilerObject.getSourceFiles()) {
    if (sourceFile.fileName.startsWith(`${LIB_DIR}/`)) files.set(sourceFile.fileName, sourceFile);
  }
  libCache.set(key, files);
  return files;
}

export function createTsChecker(options: TsCheckerOptions): TsChecker {
  const tsconfigPath = options.tsconfigPath ?? "tsconfig.json";
  const disk = options.environment ? diskReader(options.environment.root, options.diskCache ?? new Map()) : null;
  // Parsed files by absolute path and text: before/after snapshots share most files, and a changed file
  // keeps both versions so alternating checks do not re-parse it.
  const sources = new Map<string, { text: string; sourceFile: ts.SourceFile }[]>();
  let oldProgram: ts.Program | undefined;

  return {
    check(files, scope, externals, onProgress) {
      // With installed packages, imports of them resolve for real; the shim stays for what is not installed.
      const shim = shimText([...new Set([...(options.externals ?? []), ...(externals ?? [])])].sort(), disk !== null);
      const parsed = readConfig(options.tsconfig ?? files.get(tsconfigPath) ?? "{}", tsconfigPath, files);
      const compilerOptions = effectiveOptions(parsed.options, disk !== null);
      // TypeScript 6 loads no @types unless `types` names them; before 6 every node_modules/@types package
      // was loaded. Follow the compiler the repository installed.
      if (disk && compilerOptions.types === undefined && disk.typescriptMajor() < 6) compilerOptions.types = disk.directories("node_modules/@types");
      const libs = libFilesFor(compilerOptions);
      const included = parsed.fileNames.map(toRepo).filter((f): f is RepoPath => f !== null && files.has(f));
      const wanted = scope ? new Set(scope) : null;
      // With a scope, the program is the scope's files and what they import (plus declaration files, for
      // globals): enough to check them, and far less than the whole project. Before/after comparisons use
      // the same roots, so anything this leaves out cancels out.
      const roots = wanted ? included.filter((f) => wanted.has(f) || f.endsWith(".d.ts")) : included;
      if (wanted && options.rootsFromScope) {
        const have = new Set(roots);
        for (const f of wanted) if (!have.has(f) && files.has(f) && isParsablePath(f)) roots.push(f);
      }
      const reuse = options.sharedParses && compilerOptions.moduleDetection !== ts.ModuleDetectionKind.Force ? { parses: options.sharedParses, claimant: sources, jsx: compilerOptions.jsx } : null;
      const host = compilerHost(files, libs, sources, shim, disk, reuse);
      // The compiler holds the event loop for seconds on a big scope: a call per file parsed and per file checked
      // lets the caller keep a terminal's clock moving (issue 17).
      if (onProgress) {
        const getSourceFile = host.getSourceFile;
        host.getSourceFile = (...args) => {
          onProgress();
          return getSourceFile(...args);
        };
      }
      const program = ts.createProgram({
        rootNames: [...roots.map(toAbsolute), SHIM_PATH],
        options: compilerOptions,
        host,
        ...(oldProgram ? { oldProgram } : {}),
      });
      oldProgram = program;
      const out: TsDiagnostic[] = [];
      for (const sourceFile of program.getSourceFiles()) {
        const repoPath = toRepo(sourceFile.fileName);
        if (repoPath === null || sourceFile.fileName === SHIM_PATH) continue;
        if (wanted && !wanted.has(repoPath)) continue;
        onProgress?.();
        const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
        for (const diagnostic of diagnostics) out.push(toDiagnostic(repoPath, sourceFile, diagnostic));
      }
      out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.code - b.code));
      return out;
    },
  };
}

function compilerHost(
  files: ReadonlyMap<RepoPath, string>,
  libs: Map<string, ts.SourceFile>,
  sources: Map<string, { text: string; sourceFile: ts.SourceFile }[]>,
  shim: string,
  disk: DiskReader | null,
  reuse: { parses: SharedParses; claimant: object; jsx: ts.JsxEmit | undefined } | null,
): ts.CompilerHost {
  const directories = new Set<string>([ROOT]);
  for (const path of files.keys()) {
    let slash = path.lastIndexOf("/");
    while (slash > 0) {
      directories.add(toAbsolute(path.slice(0, slash)));
      slash = path.lastIndexOf("/", slash - 1);
    }
  }
  const textOf = (fileName: string): string | undefined => {
    if (fileName === SHIM_PATH) return shim;
    const repo = toRepo(fileName);
    if (repo === null) return undefined;
    if (disk && isInstalled(repo)) return disk.read(repo) ?? undefined;
    return files.get(repo);
  };
  return {
    // As tsc does since TypeScript 5.3: JSDoc is parsed only where it can produce a type error (JS files'
    // type annotations), not for documentation; the parse is the largest share of a scoped check.
    jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors,
    getSourceFile: (fileName, languageVersionOrOptions) => {
      const lib = libs.get(fileName);
      if (lib) return lib;
      const text = textOf(fileName);
      if (text === undefined) return undefined;
      const versions = sources.get(fileName) ?? [];
      const hit = versions.find((v) => v.text === text);
      if (hit) return hit.sourceFile;
      const sourceFile = sharedParse(reuse, fileName, text, languageVersionOrOptions) ?? ts.createSourceFile(fileName, text, languageVersionOrOptions, false);
      versions.push({ text, sourceFile });
      if (versions.length > MAX_VERSIONS) versions.shift();
      sources.set(fileName, versions);
      return sourceFile;
    },
    getDefaultLibFileName: (o) => `${LIB_DIR}/${ts.getDefaultLibFileName(o)}`,
    getDefaultLibLocation: () => LIB_DIR,
    writeFile: () => undefined,
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => libs.has(f) || textOf(f) !== undefined,
    readFile: (f) => textOf(f) ?? libs.get(f)?.text,
    directoryExists: (d) => {
      const dir = d.replace(/\/$/, "");
      if (directories.has(dir) || dir === LIB_DIR) return true;
      const repo = toRepo(dir);
      return disk !== null && repo !== null && isInstalled(`${repo}/`) && disk.isDirectory(repo);
    },
    // pnpm links packages into node_modules/.pnpm: the real path keeps one identity per package.
    realpath: (p) => {
      const repo = toRepo(p);
      return disk && repo !== null && isInstalled(repo) ? toAbsolute(disk.realpath(repo)) : p;
    },
    getDirectories: (d) => {
      const repo = toRepo(d.replace(/\/$/, ""));
      return disk && repo !== null && isInstalled(`${repo}/`) ? disk.directories(repo) : [];
    },
  };
}

/**
 * The graph's parse of a TS file when it is the tree this program would build: same text, no module format
 * implied by the file (.mts/.cts, node16), and no option that makes every file a module (moduleDetection
 * force, or the automatic JSX runtime for .tsx). The first program to take it owns it: binding writes into it.
 */
function sharedParse(
  reuse: { parses: SharedParses; claimant: object; jsx: ts.JsxEmit | undefined } | null,
  fileName: string,
  text: string,
  languageVersionOrOptions: ts.ScriptTarget | ts.CreateSourceFileOptions,
): ts.SourceFile | undefined {
  if (!reuse) return undefined;
  if (typeof languageVersionOrOptions === "object" && languageVersionOrOptions.impliedNodeFormat !== undefined) return undefined;
  if (fileName.endsWith(".tsx") && (reuse.jsx === ts.JsxEmit.ReactJSX || reuse.jsx === ts.JsxEmit.ReactJSXDev)) return undefined;
  const entry = reuse.parses.get(fileName)?.find((v) => v.text === text && (v.claimedBy === undefined || v.claimedBy === reuse.claimant));
  if (!entry) return undefined;
  entry.claimedBy = reuse.claimant;
  return entry.sourceFile;
}

function toDiagnostic(file: RepoPath, sourceFile: ts.SourceFile, diagnostic: ts.Diagnostic): TsDiagnostic {
  const line = diagnostic.start !== undefined ? sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 1;
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n").replaceAll(`${ROOT}/`, "");
  return { file, line, code: diagnostic.code, message };
}

function shimText(externals: string[], hasEnvironment: boolean): string {
  if (hasEnvironment) return "export {};\n";
  const lines = ["// Generated: packages are not loaded; their imports type as `any`."];
  for (const name of externals) {
    lines.push(`declare module ${JSON.stringify(name)};`);
    // `node:assert/strict`, `lodash/fp`: subpaths of the same package.
    lines.push(`declare module ${JSON.stringify(`${name}/*`)};`);
  }
  return `${lines.join("\n")}\n`;
}

/** A path inside an installed-packages folder, at any depth (workspace packages have their own). */
function isInstalled(repo: RepoPath): boolean {
  return repo.startsWith("node_modules/") || repo.includes("/node_modules/");
}

interface DiskReader {
  read(repo: RepoPath): string | null;
  isDirectory(repo: RepoPath): boolean;
  directories(repo: RepoPath): string[];
  realpath(repo: RepoPath): RepoPath;
  /** Major version of the installed typescript package; 6 (the checker's own) when none is installed. */
  typescriptMajor(): number;
}

/** Read-only access to the user's installed packages, cached: they do not change during a run. */
function diskReader(root: string, cache: Map<string, string | null>): DiskReader {
  const full = (repo: RepoPath) => nodePath.join(root, ...repo.split("/"));
  const dirs = new Map<RepoPath, boolean>();
  return {
    read(repo) {
      if (cache.has(repo)) return cache.get(repo)!;
      let text: string | null = null;
      try {
        text = readFileSync(full(repo), "utf8");
      } catch {
        text = null;
      }
      cache.set(repo, text);
      return text;
    },
    isDirectory(repo) {
      const hit = dirs.get(repo);
      if (hit !== undefined) return hit;
      let is = false;
      try {
        is = statSync(full(repo)).isDirectory();
      } catch {
        is = false;
      }
      dirs.set(repo, is);
      return is;
    },
    directories(repo) {
      try {
        return readdirSync(full(repo), { withFileTypes: true })
          .filter((e) => e.isDirectory() || e.isSymbolicLink())
          .map((e) => e.name);
      } catch {
        return [];
      }
    },
    typescriptMajor() {
      const text = this.read("node_modules/typescript/package.json");
      const version = text === null ? undefined : (JSON.parse(text) as { version?: string }).version;
      const major = Number(version?.split(".")[0]);
      return Number.isFinite(major) && major > 0 ? major : 6;
    },
    realpath(repo) {
      try {
        const real = realpathSync(full(repo));
        const rel = nodePath.relative(root, real);
        return rel.startsWith("..") || nodePath.isAbsolute(rel) ? repo : rel.split(nodePath.sep).join("/");
      } catch {
        return repo;
      }
    },
  };
}

/** tsconfig → options and included files, with `extends` and `include`/`exclude` answered from the snapshot. */
export function readConfig(text: string, tsconfigPath: RepoPath, files: ReadonlyMap<RepoPath, string>): ts.ParsedCommandLine {
  const configFile = ts.parseJsonText(toAbsolute(tsconfigPath), text);
  const directories = directoryIndex(files);
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: true,
    fileExists: (p) => {
      const repo = toRepo(p);
      return repo !== null && (files.has(repo) || repo === tsconfigPath);
    },
    readFile: (p) => {
      const repo = toRepo(p);
      if (repo === null) return undefined;
      return repo === tsconfigPath ? text : files.get(repo);
    },
    readDirectory: (rootDir, extensions, excludes, includes, depth) => {
      const matchFiles = (ts as unknown as { matchFiles?: MatchFiles }).matchFiles;
      if (!matchFiles) {
        // matchFiles is internal to TypeScript; if it ever goes away, include every parsable file.
        return [...files.keys()].filter(isParsablePath).map(toAbsolute);
      }
      return matchFiles(rootDir, extensions, excludes, includes, true, ROOT, depth, (dir: string) => {
        const entry = directories.get(toRepo(dir.replace(/\/$/, "")) ?? (dir === ROOT ? "" : "\0"));
        return { files: entry ? [...entry.files] : [], directories: entry ? [...entry.directories] : [] };
      }, (p: string) => p);
    },
  };
  const base = tsconfigPath.includes("/") ? toAbsolute(tsconfigPath.slice(0, tsconfigPath.lastIndexOf("/"))) : ROOT;
  return ts.parseJsonSourceFileConfigFileContent(configFile, host, base);
}

type MatchFiles = (
  path: string,
  extensions: readonly string[] | undefined,
  excludes: readonly string[] | undefined,
  includes: readonly string[] | undefined,
  useCaseSensitiveFileNames: boolean,
  currentDirectory: string,
  depth: number | undefined,
  getFileSystemEntries: (path: string) => { files: readonly string[]; directories: readonly string[] },
  realpath: (path: string) => string,
) => string[];

/** Directory → its file and subdirectory names, for include/exclude globbing without a disk. */
function directoryIndex(files: ReadonlyMap<RepoPath, string>): Map<RepoPath, { files: Set<string>; directories: Set<string> }> {
  const index = new Map<RepoPath, { files: Set<string>; directories: Set<string> }>();
  const entry = (dir: RepoPath) => {
    let found = index.get(dir);
    if (!found) index.set(dir, (found = { files: new Set(), directories: new Set() }));
    return found;
  };
  for (const path of files.keys()) {
    const parts = path.split("/");
    const name = parts.pop()!;
    entry(parts.join("/")).files.add(name);
    for (let i = parts.length; i > 0; i -= 1) entry(parts.slice(0, i - 1).join("/")).directories.add(parts[i - 1]!);
  }
  return index;
}
