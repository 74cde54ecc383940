// The TypeScript compiler over an in-memory snapshot of the repo. A plain ts.Program over a map-backed
// host (ts-morph's Project wrapper costs about twice the CPU on 5,000 files); ts-morph supplies the
// compiler and the lib .d.ts files. Incremental: parsed files and the previous program are reused.
import { Project, ts } from "ts-morph";
import type { RepoPath } from "../core/types.js";
import { isParsablePath } from "./parse-imports.js";

export interface TsDiagnostic {
  file: RepoPath;
  /** 1-based. */
  line: number;
  /** TypeScript's error number, e.g. 2305. */
  code: number;
  message: string;
}

export interface TsCheckerOptions {
  /** Contents of the tsconfig.json that defines the project. */
  tsconfig: string;
  /** @default "tsconfig.json" */
  tsconfigPath?: RepoPath;
  /**
   * Bare package specifiers the code imports (`lodash`, `node:fs`). node_modules is not loaded, so
   * each gets an ambient `declare module` shim: imports of packages type as `any` instead of failing.
   * `check` may add more.
   */
  externals?: Iterable<string>;
}

export interface TsChecker {
  /**
   * Diagnostics of the project's files for this snapshot, restricted to `scope` when given. Files the
   * tsconfig does not include are not checked unless an included file imports them (as with tsc).
   */
  check(files: ReadonlyMap<RepoPath, string>, scope?: Iterable<RepoPath>, externals?: Iterable<string>): TsDiagnostic[];
}

const ROOT = "/repo";
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

function effectiveOptions(parsed: ts.CompilerOptions): ts.CompilerOptions {
  const options: ts.CompilerOptions = {
    ...parsed,
    noEmit: true,
    // Lib checking dominates compile time and says nothing about the repo's imports.
    skipLibCheck: true,
    // @types packages live in node_modules, which is not loaded.
    types: [],
    typeRoots: [],
  };
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
  // Parsed files by absolute path and text: before/after snapshots share most files, and a changed file
  // keeps both versions so alternating checks do not re-parse it.
  const sources = new Map<string, { text: string; sourceFile: ts.SourceFile }[]>();
  let oldProgram: ts.Program | undefined;

  return {
    check(files, scope, externals) {
      const shim = shimText([...new Set([...(options.externals ?? []), ...(externals ?? [])])].sort());
      const jsonTexts = new Map<RepoPath, string>();
      for (const [path, text] of files) if (path.endsWith(".json")) jsonTexts.set(path, text);
      const parsed = readConfig(options.tsconfig, tsconfigPath, jsonTexts, files);
      const compilerOptions = effectiveOptions(parsed.options);
      const libs = libFilesFor(compilerOptions);
      const included = parsed.fileNames.map(toRepo).filter((f): f is RepoPath => f !== null && files.has(f));
      const wanted = scope ? new Set(scope) : null;
      // With a scope, the program is the scope's files and what they import (plus declaration files, for
      // globals): enough to check them, and far less than the whole project. Before/after comparisons use
      // the same roots, so anything this leaves out cancels out.
      const roots = wanted ? included.filter((f) => wanted.has(f) || f.endsWith(".d.ts")) : included;
      const host = compilerHost(files, libs, sources, shim);
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
    return repo === null ? undefined : files.get(repo);
  };
  return {
    getSourceFile: (fileName, languageVersionOrOptions) => {
      const lib = libs.get(fileName);
      if (lib) return lib;
      const text = textOf(fileName);
      if (text === undefined) return undefined;
      const versions = sources.get(fileName) ?? [];
      const hit = versions.find((v) => v.text === text);
      if (hit) return hit.sourceFile;
      const sourceFile = ts.createSourceFile(fileName, text, languageVersionOrOptions, false);
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
    directoryExists: (d) => directories.has(d.replace(/\/$/, "")) || d === LIB_DIR,
    realpath: (p) => p,
    getDirectories: () => [],
  };
}

function toDiagnostic(file: RepoPath, sourceFile: ts.SourceFile, diagnostic: ts.Diagnostic): TsDiagnostic {
  const line = diagnostic.start !== undefined ? sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 1;
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n").replaceAll(`${ROOT}/`, "");
  return { file, line, code: diagnostic.code, message };
}

function shimText(externals: string[]): string {
  const lines = ["// Generated: packages are not loaded; their imports type as `any`."];
  for (const name of externals) {
    lines.push(`declare module ${JSON.stringify(name)};`);
    if (!name.startsWith("node:")) lines.push(`declare module ${JSON.stringify(`${name}/*`)};`);
  }
  return `${lines.join("\n")}\n`;
}

/** tsconfig → options and included files, with `extends` and `include`/`exclude` answered from the snapshot. */
function readConfig(
  text: string,
  tsconfigPath: RepoPath,
  jsonTexts: ReadonlyMap<RepoPath, string>,
  files: ReadonlyMap<RepoPath, string> = new Map(),
): ts.ParsedCommandLine {
  const configFile = ts.parseJsonText(toAbsolute(tsconfigPath), text);
  const directories = directoryIndex(files);
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: true,
    fileExists: (p) => {
      const repo = toRepo(p);
      return repo !== null && (files.has(repo) || jsonTexts.has(repo) || repo === tsconfigPath);
    },
    readFile: (p) => {
      const repo = toRepo(p);
      if (repo === null) return undefined;
      return repo === tsconfigPath ? text : (jsonTexts.get(repo) ?? files.get(repo));
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
