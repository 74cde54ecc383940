// The problems HEAD already has, and the check of a changed snapshot against them: only what the run
// introduces counts. Pure over in-memory snapshots (no disk, no git); the compiler runs in memory.
import type { RepoPath, TaskId } from "../core/types.js";
import type { Problem } from "../events/types.js";
import { buildImportGraph, updateGraph, type BuildGraphOptions } from "../graph/build-graph.js";
import type { ImportGraph } from "../graph/types.js";
import {
  attachTargets,
  blameProblems,
  changedScope,
  findProblems,
  introducedProblems,
  newProblems,
  type ImportProblem,
} from "./checks.js";
import { createTsProblemChecker, type TsProblemChecker } from "./tsc-diagnostics.js";

export interface BaselineOptions extends BuildGraphOptions {
  /**
   * Run the TypeScript compiler too. Default: when a tsconfig is known (`tsconfig` option or a
   * `tsconfig.json` in the snapshot).
   */
  typescript?: boolean;
  /** Which compiler diagnostics count. @default "imports" (see IMPORT_EXPORT_CODES) */
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
  /**
   * Compiler problems at HEAD in these files. Computed on first request and cached per file: a full
   * type check of a large repo costs as much as `tsc --noEmit`, and only files near the changes matter.
   */
  tsProblemsFor(scope: Iterable<RepoPath>): ImportProblem[];
  /** Compiler problems of the whole project at HEAD (a full check). */
  allTsProblems(): ImportProblem[];
  /** @internal shared by checkChanges: one incremental compiler for HEAD and the changed snapshots. */
  readonly tsChecker: TsProblemChecker | null;
}

/**
 * Records what is already broken at HEAD.
 * - builds the import graph of the snapshot and runs the graph checks on every file,
 * - prepares the compiler (TS projects); its diagnostics are computed lazily per file.
 */
export function computeBaseline(files: ReadonlyMap<RepoPath, string>, opts: BaselineOptions = {}): Baseline {
  const graph = buildImportGraph(files, opts);
  const tsconfigPath = opts.tsconfigPath ?? "tsconfig.json";
  const tsconfig = opts.tsconfig ?? files.get(tsconfigPath);
  const hasTypeScript = (opts.typescript ?? true) && tsconfig !== undefined;
  const tsChecker = hasTypeScript
    ? createTsProblemChecker({ tsconfig: tsconfig!, tsconfigPath, codes: opts.tsCodes ?? "imports" })
    : null;
  const tsByFile = new Map<RepoPath, ImportProblem[]>();
  const externals = graph.externals();

  const tsProblemsFor = (scope: Iterable<RepoPath>): ImportProblem[] => {
    if (!tsChecker) return [];
    const wanted = [...new Set(scope)];
    const missing = wanted.filter((f) => !tsByFile.has(f));
    if (missing.length > 0) {
      for (const f of missing) tsByFile.set(f, []);
      for (const problem of tsChecker.check(files, missing, externals)) tsByFile.get(problem.file)?.push(problem);
    }
    return wanted.flatMap((f) => tsByFile.get(f) ?? []);
  };

  return {
    files,
    graph,
    problems: findProblems(graph),
    hasTypeScript,
    tsProblemsFor,
    allTsProblems: () => (tsChecker ? tsChecker.check(files, undefined, externals) : []),
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
}

export interface ChangeCheck {
  /** The graph of the changed snapshot (reuse it for repair prompts: signatures, importers). */
  graph: ImportGraph;
  /** The changed snapshot: HEAD's files with the changes applied. */
  files: Map<RepoPath, string>;
  /** Files whose content differs from HEAD (or that were created or removed). */
  changed: Set<RepoPath>;
  /** Files that were checked: the changed ones and their importers. */
  scope: Set<RepoPath>;
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
  const scope = changedScope(baseline.graph, graph, changed);
  const graphProblems = introducedProblems(baseline.graph, graph, scope);

  let tsProblems: ImportProblem[] = [];
  if (baseline.tsChecker && scope.size > 0) {
    const externals = new Set([...baseline.graph.externals(), ...graph.externals()]);
    const after = attachTargets(baseline.tsChecker.check(files, scope, externals), graph);
    const fresh = newProblems(baseline.tsProblemsFor(scope), after);
    // The graph checks already name these imports more plainly; keep one problem per import.
    const covered = new Set(graphProblems.map((p) => `${p.file}\0${p.specifier ?? ""}`));
    tsProblems = fresh.filter((p) => p.specifier === undefined || !covered.has(`${p.file}\0${p.specifier}`));
  }

  const problems = blameProblems([...graphProblems, ...tsProblems], {
    changedFiles: changes.tasks ?? new Map(),
    graphBefore: baseline.graph,
    graphAfter: graph,
  });
  return { graph, files, changed, scope, problems: sortProblems(problems) };
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
    const next: ChangeSet = { written, removed };
    if (changes.tasks) next.tasks = changes.tasks;
    return checkChanges(baseline, next).problems;
  };
}
