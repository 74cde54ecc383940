// The problems HEAD already has, and the check of a changed snapshot against them: only what the run
// introduces counts. Pure over in-memory snapshots (no disk, no git); the compiler runs in memory.
import type { RepoPath, TaskId } from "../core/index.js";
import type { Problem } from "../events/index.js";
import { type BuildGraphOptions, buildImportGraph, exportedDeclarations, findConfigs, type ImportGraph, isParsablePath, type SharedParses, type TsEnvironment, type UncheckedFile, updateGraph } from "../graph/index.js";
import {
  attachTargets,
  blameProblems,
  changedScope,
  findProblems,
  introducedProblems,
  newProblems,
} from "./checks.js";
import type { ImportProblem } from "./types.js";
import { publicApiProblems, publicEntryPoints, suppressionProblems, testImportProblem } from "./guards.js";
import { transitiveImporters } from "./scope.js";
import { createTsProblemChecker, type TsProblemChecker } from "./tsc-diagnostics.js";

export interface BaselineOptions extends BuildGraphOptions {
  /** Run the TypeScript compiler too. Default: when the snapshot has a tsconfig.json. */
  typescript?: boolean;
  /**
   * The repository's installed packages (the user's working tree with node_modules), read-only. With them
   * every compiler diagnostic counts; without them only IMPORT_EXPORT_CODES (packages and @types are unknown).
   */
  environment?: TsEnvironment;
  /** Which compiler diagnostics count. @default "all" with an environment, else "imports" */
  tsCodes?: "imports" | "all";
}

export interface Baseline {
  /** HEAD's snapshot (every file given, parsed or not). */
  files: ReadonlyMap<RepoPath, string>;
  graph: ImportGraph;
  /** Graph-check problems of every file at HEAD. */
  problems: ImportProblem[];
  /** Whether compiler diagnostics are part of the checks. */
  hasTypeScript: boolean;
  /** Which compiler diagnostics count: "all" with installed packages, "imports" without; "none" without TypeScript. */
  typeCheck: "all" | "imports" | "none";
  /**
   * Compiler problems at HEAD in these files. Computed on first request and cached per file: a full
   * type check of a large repo costs as much as `tsc --noEmit`, and only files near the changes matter.
   */
  tsProblemsFor(scope: Iterable<RepoPath>): ImportProblem[];
  /** Compiler problems of the whole project at HEAD (a full check). */
  allTsProblems(): ImportProblem[];
  /** Files package.json exposes to consumers (main, module, types, bin, exports), as sources. */
  entryPoints: ReadonlySet<RepoPath>;
  /** The repository and commit the snapshot was read from (a run's baseline; absent for in-memory snapshots). */
  source?: { top: string; headSha: string };
  /** Lines for the output and the report about what the checks could not do (e.g. no installed packages). */
  notes: string[];
  /** @internal shared by checkChanges: one incremental compiler for HEAD and the changed snapshots. */
  readonly tsChecker: TsProblemChecker | null;
}

/**
 * Records what is already broken at HEAD.
 * - builds the import graph of the snapshot and runs the graph checks on every file,
 * - prepares the compiler (TS projects); its diagnostics are computed lazily per file.
 */
export function computeBaseline(files: ReadonlyMap<RepoPath, string>, opts: BaselineOptions = {}): Baseline {
  const hasTypeScript = (opts.typescript ?? true) && findConfigs(files).length > 0;
  // One parse per file for the graph and the compiler: the second parse was a third of a scoped check.
  const sharedParses: SharedParses | undefined = hasTypeScript ? (opts.sharedParses ?? new Map()) : undefined;
  const graph = buildImportGraph(files, sharedParses ? { ...opts, sharedParses } : opts);
  const checkerOptions: Parameters<typeof createTsProblemChecker>[0] = sharedParses ? { sharedParses } : {};
  if (opts.environment) checkerOptions.environment = opts.environment;
  if (opts.tsCodes) checkerOptions.codes = opts.tsCodes;
  const tsChecker = hasTypeScript ? createTsProblemChecker(checkerOptions) : null;
  const tsByFile = new Map<RepoPath, ImportProblem[]>();
  const externals = graph.externals();

  const tsProblemsFor = (scope: Iterable<RepoPath>): ImportProblem[] => {
    if (!tsChecker) return [];
    const wanted = [...new Set(scope)];
    const missing = wanted.filter((f) => !tsByFile.has(f));
    if (missing.length > 0) {
      for (const f of missing) tsByFile.set(f, []);
      for (const problem of tsChecker.check(files, missing, externals).problems) tsByFile.get(problem.file)?.push(problem);
    }
    return wanted.flatMap((f) => tsByFile.get(f) ?? []);
  };

  return {
    files,
    graph,
    problems: findProblems(graph),
    hasTypeScript,
    typeCheck: tsChecker?.codes ?? "none",
    notes: [],
    entryPoints: publicEntryPoints(files),
    tsProblemsFor,
    allTsProblems: () => (tsChecker ? tsChecker.check(files, undefined, externals).problems : []),
    tsChecker,
  };
}

export interface ChangeSet {
  /** New content of every file the run wrote (changed or created); unchanged entries are ignored. */
  written: ReadonlyMap<RepoPath, string>;
  /** Files that no longer exist (a created file that was reverted, a deletion found by `swarm validate`). */
  removed?: Iterable<RepoPath>;
  /** File → the task whose output it is, for blame. Empty for `swarm validate`. */
  tasks?: ReadonlyMap<RepoPath, TaskId>;
  /** Test file → the module its task tests: the test must keep importing it. */
  testsOf?: ReadonlyMap<RepoPath, RepoPath>;
  /** "keep" (default): package entry points may not lose exports or change their kind. */
  publicApi?: "keep" | "allow";
  /** Called from inside the compiler's check, per file (issue 17: the caller keeps a terminal's clock moving). */
  onProgress?: () => void;
}

export interface ChangeCheck {
  /** The graph of the changed snapshot (reuse it for repair prompts: signatures, importers). */
  graph: ImportGraph;
  /** The changed snapshot: HEAD's files with the changes applied. */
  files: Map<RepoPath, string>;
  /** Files whose content differs from HEAD (or that were created or removed). */
  changed: Set<RepoPath>;
  /** Files that were checked: the changed ones and their importers (transitive ones for the compiler). */
  scope: Set<RepoPath>;
  /** Changed TypeScript files that got no compiler check, and why. */
  unchecked: UncheckedFile[];
  /** Problems the changes introduced, each blamed on a task where one is responsible. */
  problems: ImportProblem[];
}

/**
 * Checks a changed snapshot against the baseline.
 * - scope: changed files and every file importing one (through re-exports too),
 * - graph checks on both sides of the scope, keeping what is new,
 * - compiler diagnostics (TS projects) new against HEAD's for the same files,
 * - blame: the importer's task or the exporter's that removed what it uses.
 */
export function checkChanges(baseline: Baseline, changes: ChangeSet): ChangeCheck {
  const written = new Map<RepoPath, string>();
  for (const [path, text] of changes.written) if (baseline.files.get(path) !== text) written.set(path, text);
  const removed = [...(changes.removed ?? [])].filter((p) => baseline.files.has(p) || baseline.graph.otherPaths.has(p));
  const files = new Map(baseline.files);
  for (const path of removed) files.delete(path);
  for (const [path, text] of written) files.set(path, text);
  const changed = new Set<RepoPath>([...written.keys(), ...removed]);

  const graph = changed.size === 0 ? baseline.graph : updateGraph(baseline.graph, written, removed);
  const graphScope = changedScope(baseline.graph, graph, changed);
  const graphProblems = introducedProblems(baseline.graph, graph, graphScope);
  // Types travel further than names: a changed return type breaks the importer of an importer.
  const scope = new Set([...graphScope, ...transitiveImporters(baseline.graph, graph, changed, (importer, from) => passesTypesOn(graph, files, importer, from))]);

  let tsProblems: ImportProblem[] = [];
  let unchecked: UncheckedFile[] = [];
  if (baseline.tsChecker && scope.size > 0) {
    const externals = new Set([...baseline.graph.externals(), ...graph.externals()]);
    const result = baseline.tsChecker.check(files, scope, externals, changes.onProgress);
    unchecked = result.unchecked.filter((u) => changed.has(u.file));
    const after = attachTargets(result.problems, graph);
    // HEAD's diagnostics only matter where the result has some: a file clean now adds nothing either way,
    // and checking HEAD for the whole scope would double the compiler's work.
    const fresh = newProblems(baseline.tsProblemsFor(new Set(after.map((p) => p.file))), after);
    // The graph checks already name these imports more plainly; keep one problem per import.
    const covered = new Set(graphProblems.map((p) => `${p.file}\0${p.specifier ?? ""}`));
    tsProblems = fresh.filter((p) => p.specifier === undefined || !covered.has(`${p.file}\0${p.specifier}`));
  }

  const guardProblems: ImportProblem[] = [];
  if (changes.publicApi !== "allow" && changed.size > 0) {
    guardProblems.push(...publicApiProblems({ before: baseline.graph, after: graph, filesBefore: baseline.files, filesAfter: files, entries: baseline.entryPoints, changed }));
  }
  for (const [path, text] of written) {
    if (isParsablePath(path)) guardProblems.push(...suppressionProblems(path, baseline.files.get(path) ?? "", text));
  }
  for (const [test, source] of changes.testsOf ?? []) {
    // "No longer": only a test that imported its module at HEAD can lose it.
    if (!written.has(test) || !graph.files.has(source) || !baseline.graph.files.has(test) || testImportProblem(baseline.graph, test, source) !== null) continue;
    const problem = testImportProblem(graph, test, source);
    if (problem) guardProblems.push(problem);
  }

  const problems = blameProblems([...graphProblems, ...tsProblems, ...guardProblems], {
    changedFiles: changes.tasks ?? new Map(),
    graphBefore: baseline.graph,
    graphAfter: graph,
    apiDiff: (file) => {
      const after = files.get(file);
      if (after === undefined) return null;
      return symmetricDifference(declarationWords(file, baseline.files.get(file) ?? ""), declarationWords(file, after));
    },
    lineText: (file, line) => files.get(file)?.split("\n")[line - 1] ?? "",
  });
  return { graph, files, changed, scope, unchecked, problems: sortProblems(problems) };
}

function sortProblems<P extends Problem>(problems: P[]): P[] {
  return [...problems].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/**
 * For revertClosure: the problems left when the files in `reverted` hold HEAD's content (files the run
 * created are removed) and the rest of `changes` stays applied.
 */
export function revertProbe(baseline: Baseline, changes: ChangeSet): (reverted: ReadonlySet<RepoPath>) => ImportProblem[] {
  return (reverted) => {
    const written = new Map<RepoPath, string>();
    const removed = new Set(changes.removed ?? []);
    for (const [path, text] of changes.written) {
      if (!reverted.has(path)) written.set(path, text);
      else if (!baseline.files.has(path)) removed.add(path);
    }
    // A file the run removed and that is reverted comes back with HEAD's content.
    for (const path of reverted) removed.delete(path);
    const next: ChangeSet = { ...changes, written, removed };
    return checkChanges(baseline, next).problems;
  };
}

/** Identifiers of a file's exported declarations, as a multiset. */
function declarationWords(file: RepoPath, text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of exportedDeclarations(file, text).match(/[A-Za-z_$][\w$]*/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

function symmetricDifference(a: Map<string, number>, b: Map<string, number>): Set<string> {
  const out = new Set<string>();
  for (const [w, n] of a) if ((b.get(w) ?? 0) !== n) out.add(w);
  for (const [w, n] of b) if ((a.get(w) ?? 0) !== n) out.add(w);
  return out;
}

const declarationCache = new Map<string, { text: string; declarations: string }>();

/**
 * Whether an unchanged importer's exported types can change with `from`: it re-exports from it, its
 * exported declarations name something imported from it, or one of them has an inferred type (no
 * annotation) while it imports from it. Otherwise its importers see the same types as before.
 */
function passesTypesOn(graph: ImportGraph, files: ReadonlyMap<RepoPath, string>, importer: RepoPath, from: RepoPath): boolean {
  const node = graph.files.get(importer);
  const text = files.get(importer);
  if (!node || text === undefined) return true;
  const records = node.imports.filter((i) => i.resolution.kind === "file" && i.resolution.path === from);
  if (records.some((r) => r.kind === "export-from" || r.star === true)) return true;
  let cached = declarationCache.get(importer);
  if (cached?.text !== text) {
    cached = { text, declarations: exportedDeclarations(importer, text) };
    declarationCache.set(importer, cached);
  }
  const declarations = cached.declarations;
  // `export function f(a)` / `m();` without a return type, `export const c = x(…)`: inferred.
  if (/\)\s*;|\bconst\s+[\w$]+\s*=|\blet\s+[\w$]+\s*=/.test(declarations)) return true;
  const used = new Set(declarations.match(/[A-Za-z_$][\w$]*/g) ?? []);
  return records.some((r) => r.namespace || r.default || r.names.some((n) => used.has(n.local.split(".")[0]!)));
}
