// The repository as a ts-morph project in memory: the language service does the renames and the file moves, and
// it reads tsconfig `paths`/`baseUrl` (and `extends` inside the repo) the way tsc does. Nothing touches the disk.
import { getCompilerOptionsFromTsConfig, InMemoryFileSystemHost, Project, ts } from "ts-morph";
import type { RepoPath } from "../../core/index.js";
import { buildImportGraph, isParsablePath, type ImportGraph } from "../../graph/index.js";
import type { BuiltinRepo } from "./types.js";

const ROOT = "/repo";

export const toAbsolute = (path: RepoPath): string => `${ROOT}/${path}`;
export const toRepo = (absolute: string): RepoPath | null =>
  absolute.startsWith(`${ROOT}/`) ? absolute.slice(ROOT.length + 1) : null;

/** The import graph validation uses: who imports what, resolved with the repo's tsconfig and package.json. */
export const graphOf = (repo: BuiltinRepo): ImportGraph =>
  repo.graph ?? buildImportGraph(repo.files, { otherPaths: repo.allPaths.filter((path) => !repo.files.has(path)) });

/**
 * A project whose program starts from `roots` (the files the import graph says can be touched) and pulls in what
 * they import from the other files: enough for the language service, and far less than the whole repository.
 */
export function repoProject(files: ReadonlyMap<RepoPath, string>, roots: Iterable<RepoPath>): Project {
  const fileSystem = new InMemoryFileSystemHost();
  for (const [path, text] of files) fileSystem.writeFileSync(toAbsolute(path), text);
  const project = new Project({ fileSystem, compilerOptions: compilerOptionsOf(files, fileSystem) });
  for (const root of roots) if (files.has(root) && isParsablePath(root)) project.addSourceFileAtPath(toAbsolute(root));
  return project;
}

function compilerOptionsOf(files: ReadonlyMap<RepoPath, string>, fileSystem: InMemoryFileSystemHost): ts.CompilerOptions {
  const config = ["tsconfig.json", "jsconfig.json"].find((path) => files.has(path));
  let options: ts.CompilerOptions = {};
  if (config !== undefined) {
    try {
      options = getCompilerOptionsFromTsConfig(toAbsolute(config), { fileSystem }).options;
    } catch {
      // An unreadable tsconfig leaves relative imports, which still resolve; aliases then stay as they are.
      options = {};
    }
  }
  options = {
    ...options,
    // JavaScript importers (require, import()) are references too, whatever the project compiles.
    allowJs: true,
    checkJs: false,
    noEmit: true,
    skipLibCheck: true,
    // node_modules is not there: no @types to look for.
    types: [],
  };
  delete options.configFilePath;
  // As the type gate does (graph/ts-program.ts): ts-morph takes NodeNext .ts files for CommonJS; bundler
  // resolution finds the same repo files for the repo's own specifiers, and the old specifier keeps its extension.
  const nodeKinds = [ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.NodeNext];
  const module = options.module;
  if (
    (module !== undefined && module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext) ||
    (options.moduleResolution !== undefined && nodeKinds.includes(options.moduleResolution))
  ) {
    options.module = ts.ModuleKind.ESNext;
    options.moduleResolution = ts.ModuleResolutionKind.Bundler;
  }
  return options;
}

/** Text with the language service's edits applied (they never overlap; applied from the end). */
export function applyTextChanges(text: string, changes: readonly { span: ts.TextSpan; newText: string }[]): string {
  let out = text;
  for (const change of [...changes].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, change.span.start) + change.newText + out.slice(change.span.start + change.span.length);
  }
  return out;
}
