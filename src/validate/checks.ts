// Pure: import graphs → the cross-file problems of a set of files, which of them are new against a
// baseline, and which task's edit introduced each one.
import type { RepoPath, TaskId } from "../core/index.js";
import type { ImportGraph, ModuleNode, Resolution, ResolvedImport } from "../graph/index.js";
import type { ImportProblem } from "./types.js";

const PROBLEM_CODES = {
  unresolvedImport: "unresolved-import",
  missingExport: "missing-export",
  missingDefault: "missing-default",
  unknownPackage: "unknown-package",
  syntaxError: "syntax-error",
} as const;

type Answer = "yes" | "no" | "unknown";

/** `name` is exported by `path`, following `export *` chains; memoised per graph. */
const exportMemo = new WeakMap<ImportGraph, Map<string, Answer>>();

export function exportsName(graph: ImportGraph, path: RepoPath, name: string): Answer {
  let memo = exportMemo.get(graph);
  if (!memo) exportMemo.set(graph, (memo = new Map()));
  const key = `${path}\0${name}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const answer = exportsNameFrom(graph, path, name, new Set(), memo);
  // Only top-level answers are stored: an inner "no" may have been cut short by the cycle guard.
  memo.set(key, answer);
  return answer;
}

function exportsNameFrom(
  graph: ImportGraph,
  path: RepoPath,
  name: string,
  visiting: Set<RepoPath>,
  memo: Map<string, Answer>,
): Answer {
  const cached = memo.get(`${path}\0${name}`);
  if (cached) return cached;
  if (visiting.has(path)) return "no";
  visiting.add(path);
  const node = graph.files.get(path);
  if (!node || node.syntaxError) return "unknown";
  const { exports } = node;
  if (exports.names.has(name) || exports.cjsNames.has(name)) return "yes";
  if (exports.isOpaque) return "unknown";
  let answer: Answer = "no";
  for (const target of node.starTargets) {
    const inner: Answer = target.kind === "file" ? exportsNameFrom(graph, target.path, name, visiting, memo) : "unknown";
    if (inner === "yes") return "yes";
    if (inner === "unknown") answer = "unknown";
  }
  return answer;
}

/** The file that defines `name` for importers of `path` (through `export *`), or null. */
function originOfName(graph: ImportGraph, path: RepoPath, name: string, visiting = new Set<RepoPath>()): RepoPath | null {
  if (visiting.has(path)) return null;
  visiting.add(path);
  const node = graph.files.get(path);
  if (!node) return null;
  if (name === "default") return node.exports.hasDefault ? path : null;
  if (node.exports.names.has(name) || node.exports.cjsNames.has(name)) return path;
  for (const target of node.starTargets) {
    if (target.kind !== "file") continue;
    const found = originOfName(graph, target.path, name, visiting);
    if (found) return found;
  }
  return null;
}

function hasDefaultExport(node: ModuleNode): boolean {
  const { exports } = node;
  // Importing a CommonJS module's default gives `module.exports` itself, so it always exists.
  return exports.hasDefault || exports.commonjs || exports.isOpaque || exports.cjsNames.has("default");
}

/**
 * Problems of the files in `scope` (default: every file): unresolved relative/alias specifiers, named
 * imports and re-exports the target does not export, default imports of ES modules without one,
 * require-destructured names a CommonJS module does not assign, undeclared packages, syntax errors.
 */
export function findProblems(graph: ImportGraph, scope?: Iterable<RepoPath>): ImportProblem[] {
  const paths = scope ? [...new Set(scope)].filter((p) => graph.files.has(p)) : [...graph.files.keys()];
  paths.sort();
  const problems: ImportProblem[] = [];
  for (const path of paths) problems.push(...problemsOfFile(graph, graph.files.get(path)!));
  return problems;
}

function problemsOfFile(graph: ImportGraph, node: ModuleNode): ImportProblem[] {
  const problems: ImportProblem[] = [];
  if (node.syntaxError) {
    problems.push({
      file: node.path,
      line: node.syntaxError.line,
      code: PROBLEM_CODES.syntaxError,
      message: `Syntax error: ${node.syntaxError.message}`,
    });
  }
  for (const record of node.imports) problems.push(...problemsOfImport(graph, node.path, record));
  return problems;
}

function problemsOfImport(graph: ImportGraph, file: RepoPath, record: ResolvedImport): ImportProblem[] {
  const { resolution, specifier, line } = record;
  if (resolution.kind === "unresolved") {
    return [
      {
        file,
        line,
        code: PROBLEM_CODES.unresolvedImport,
        message: `Cannot resolve "${specifier}" (${resolution.reason})`,
        specifier,
      },
    ];
  }
  if (resolution.kind === "external") {
    if (resolution.isDeclared !== false) return [];
    return [
      {
        file,
        line,
        code: PROBLEM_CODES.unknownPackage,
        message: `Package "${resolution.packageName}" is not in package.json dependencies`,
        specifier,
        name: resolution.packageName,
      },
    ];
  }
  const target = graph.files.get(resolution.path);
  // JSON, CSS and other unparsed files export whatever their loader makes of them.
  if (!target || target.syntaxError) return [];
  const problems: ImportProblem[] = [];
  const at = { file, line, target: target.path, specifier };

  const checksDefault = record.kind === "import" || record.kind === "export-from" || record.kind === "import-type"
    || (record.kind === "dynamic-import" && target.exports.isEsm);
  if (record.default && checksDefault && !hasDefaultExport(target)) {
    problems.push({
      ...at,
      code: PROBLEM_CODES.missingDefault,
      message: `"${specifier}" has no default export`,
      name: "default",
    });
  }
  const reported = new Set<string>();
  for (const name of record.names) {
    if (reported.has(name.imported)) continue;
    // `m.prop` usages are a guess about intent; judge them only against a module whose exports we can list.
    if (name.isUsage && (target.exports.isOpaque || !target.exports.commonjs)) continue;
    if (exportsName(graph, target.path, name.imported) !== "no") continue;
    reported.add(name.imported);
    problems.push({
      ...at,
      code: PROBLEM_CODES.missingExport,
      message: `"${specifier}" has no export named "${name.imported}"`,
      name: name.imported,
    });
  }
  return problems;
}

// --- baseline comparison -----------------------------------------------------------------------------------

/** Identity of a problem across edits: file, code, and what it is about — never the line, which edits shift. */
export function problemKey(problem: ImportProblem): string {
  // Our own checks key on the import; compiler diagnostics on their message, which names module and member.
  // A failing test is one problem however its runner's output (timings, paths) varies between runs.
  if (problem.code === "test-failed") return `${problem.file}\0${problem.code}`;
  const isOwn = (Object.values(PROBLEM_CODES) as string[]).includes(problem.code);
  const about =
    isOwn && problem.specifier !== undefined ? `${problem.specifier}\0${problem.name ?? ""}` : problem.message;
  return `${problem.file}\0${problem.code}\0${about}`;
}

/**
 * Problems of `after` that `baseline` does not have, compared as multisets by problemKey: a second
 * identical broken import in a file is new even though the first one was there before.
 */
export function newProblems<P extends ImportProblem>(baseline: readonly ImportProblem[], after: readonly P[]): P[] {
  const budget = new Map<string, number>();
  for (const problem of baseline) budget.set(problemKey(problem), (budget.get(problemKey(problem)) ?? 0) + 1);
  const fresh: P[] = [];
  for (const problem of after) {
    const key = problemKey(problem);
    const left = budget.get(key) ?? 0;
    if (left > 0) budget.set(key, left - 1);
    else fresh.push(problem);
  }
  return fresh;
}

/**
 * Files whose problems can have changed: the changed files that still exist, every file importing a
 * changed file (before or after the change), and, through re-exports, importers of the re-exporters.
 */
export function changedScope(before: ImportGraph, after: ImportGraph, changedFiles: Iterable<RepoPath>): Set<RepoPath> {
  const scope = new Set<RepoPath>();
  const queue: RepoPath[] = [];
  const queued = new Set<RepoPath>();
  const enqueue = (path: RepoPath) => {
    if (queued.has(path)) return;
    queued.add(path);
    queue.push(path);
  };
  for (const path of changedFiles) {
    if (after.files.has(path)) scope.add(path);
    enqueue(path);
  }
  // `queue` holds files whose exports may differ; their importers are affected, and a re-exporting
  // importer passes the change on to its own importers.
  while (queue.length > 0) {
    const exporter = queue.pop()!;
    for (const graph of [after, before]) {
      for (const importer of graph.importers.get(exporter) ?? []) {
        if (!after.files.has(importer)) continue;
        scope.add(importer);
        if (reExportsFrom(after.files.get(importer)!, exporter) || reExportsFrom(before.files.get(importer), exporter)) {
          enqueue(importer);
        }
      }
    }
  }
  return scope;
}

function reExportsFrom(node: ModuleNode | undefined, path: RepoPath): boolean {
  if (!node) return false;
  const hits = (r: Resolution) => r.kind === "file" && r.path === path;
  return node.starTargets.some(hits) || node.imports.some((i) => i.kind === "export-from" && hits(i.resolution));
}

/**
 * Problems in `scope` that the change introduced: findProblems on both graphs over the same files, then
 * the difference. Comparing the same scope makes a full-repo baseline unnecessary for the graph checks.
 */
export function introducedProblems(before: ImportGraph, after: ImportGraph, scope: Iterable<RepoPath>): ImportProblem[] {
  const files = [...scope];
  return newProblems(findProblems(before, files), findProblems(after, files));
}

// --- blame -------------------------------------------------------------------------------------------------

export interface BlameInput {
  /** File → the task whose output it is. */
  changedFiles: ReadonlyMap<RepoPath, TaskId>;
  graphBefore: ImportGraph;
  graphAfter: ImportGraph;
  /** Names in a changed file's exported declarations that differ from HEAD's (empty: same API; null: not changed). */
  apiDiff?: (file: RepoPath) => Set<string> | null;
  /** Text of a line of a file after the change. */
  lineText?: (file: RepoPath, line: number) => string;
}

/**
 * Traces each problem to the task whose edit introduced it. The importer's own edit is to blame when
 * it added the broken import; the exporter's when it removed or renamed what the importer still uses
 * (then `target` names the exporter, so the report shows the pair).
 */
export function blameProblems<P extends ImportProblem>(problems: readonly P[], input: BlameInput): P[] {
  return problems.map((problem) => blameOne(problem, input));
}

function blameOne<P extends ImportProblem>(problem: P, input: BlameInput): P {
  const { changedFiles, graphBefore, graphAfter } = input;
  const importerTask = changedFiles.get(problem.file);
  const withBlame = (task: TaskId | undefined, target?: RepoPath): P => {
    const out = { ...problem };
    if (task !== undefined) out.blame = task;
    if (target !== undefined) out.target = target;
    return out;
  };

  switch (problem.code) {
    case PROBLEM_CODES.syntaxError:
    case PROBLEM_CODES.unknownPackage:
      return withBlame(importerTask);
    case PROBLEM_CODES.unresolvedImport: {
      if (importerTask !== undefined) return withBlame(importerTask);
      // The importer is untouched: the file it used to reach is gone (a revert removed a new file).
      const before = resolutionBefore(graphBefore, problem.file, problem.specifier);
      if (before?.kind === "file" && changedFiles.has(before.path)) return withBlame(changedFiles.get(before.path), before.path);
      return withBlame(undefined);
    }
    case PROBLEM_CODES.missingExport:
    case PROBLEM_CODES.missingDefault: {
      const { name, target } = problem;
      if (name === undefined || target === undefined) return withBlame(importerTask);
      // The files that carried the name to the importer before the run: the target, re-exporting
      // barrels, the defining file. The deepest changed one that no longer provides it removed it.
      const chain = chainOfName(graphBefore, target, name);
      const culprit = [...chain]
        .reverse()
        .find((f) => f !== problem.file && changedFiles.has(f) && !providesName(graphAfter, f, name));
      if (culprit !== undefined) return withBlame(changedFiles.get(culprit), culprit);
      // The name never existed there: the importer's new import is wrong.
      return withBlame(importerTask);
    }
    default:
      return blameDiagnostic(problem, input);
  }
}

function providesName(graph: ImportGraph, path: RepoPath, name: string): boolean {
  return graph.files.has(path) && originOfName(graph, path, name) !== null;
}

/** Files from `path` to the one defining `name`, through `export *`; empty when `name` is not exported. */
export function chainOfName(graph: ImportGraph, path: RepoPath, name: string, visiting = new Set<RepoPath>()): RepoPath[] {
  if (visiting.has(path)) return [];
  visiting.add(path);
  const node = graph.files.get(path);
  if (!node) return [];
  if (name === "default") return node.exports.hasDefault ? [path] : [];
  if (node.exports.names.has(name) || node.exports.cjsNames.has(name)) return [path];
  for (const target of node.starTargets) {
    if (target.kind !== "file") continue;
    const rest = chainOfName(graph, target.path, name, visiting);
    if (rest.length > 0) return [path, ...rest];
  }
  return [];
}

function resolutionBefore(graph: ImportGraph, file: RepoPath, specifier: string | undefined): Resolution | undefined {
  if (specifier === undefined) return undefined;
  return graph.files.get(file)?.imports.find((i) => i.specifier === specifier)?.resolution;
}

/**
 * Compiler diagnostics: the closest changed file among its dependencies whose exported API changed (a
 * signature, a return type, a member: callers break where the exporter changed), else the file's own
 * task, else the changed file it imports on that line, else any changed import.
 */
function blameDiagnostic<P extends ImportProblem>(problem: P, input: BlameInput): P {
  const { changedFiles, graphAfter } = input;
  const api = input.apiDiff !== undefined && problem.target === undefined ? apiChangeBehind(problem, input) : undefined;
  if (api !== undefined) return { ...problem, blame: changedFiles.get(api)!, target: api };
  const own = changedFiles.get(problem.file);
  if (own !== undefined) return { ...problem, blame: own };
  let target = problem.target;
  if (target === undefined) {
    const node = graphAfter.files.get(problem.file);
    const record = node && problem.line !== undefined ? importOnLine(node, problem.line) : undefined;
    if (record?.resolution.kind === "file") target = record.resolution.path;
    else target = graphAfter.dependenciesOf(problem.file).find((d) => changedFiles.has(d));
  }
  const task = target !== undefined ? changedFiles.get(target) : undefined;
  const out = { ...problem };
  if (task !== undefined) out.blame = task;
  if (target !== undefined) out.target = target;
  return out;
}

const words = (text: string) => new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);

/**
 * The changed dependency (breadth-first, after the change) whose API change the diagnostic is about: one
 * whose changed declarations share a name with the message, else with the diagnostic's line, else the closest.
 */
function apiChangeBehind(problem: ImportProblem, input: BlameInput): RepoPath | undefined {
  const changed: { file: RepoPath; diff: Set<string> }[] = [];
  const seen = new Set<RepoPath>([problem.file]);
  let frontier = [problem.file];
  while (frontier.length > 0) {
    const next: RepoPath[] = [];
    for (const f of frontier) {
      for (const dep of input.graphAfter.dependenciesOf(f)) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        const diff = input.changedFiles.has(dep) ? input.apiDiff!(dep) : null;
        if (diff !== null && diff.size > 0) changed.push({ file: dep, diff });
        next.push(dep);
      }
    }
    frontier = next;
  }
  if (changed.length === 0) return undefined;
  const inMessage = words(problem.message);
  const byMessage = changed.find((c) => [...c.diff].some((w) => inMessage.has(w)));
  if (byMessage) return byMessage.file;
  const line = problem.line !== undefined && input.lineText ? words(input.lineText(problem.file, problem.line)) : new Set<string>();
  const byLine = changed.find((c) => [...c.diff].some((w) => line.has(w)));
  return (byLine ?? changed[0]!).file;
}

/** The import statement spanning `line`, if any. */
function importOnLine(node: ModuleNode, line: number): ResolvedImport | undefined {
  return node.imports.find((i) => i.line <= line && line <= (i.endLine ?? i.line));
}

/** Fills `target` (and `specifier`) of file-level problems, such as compiler diagnostics, from the import on their line. */
export function attachTargets<P extends ImportProblem>(problems: readonly P[], graph: ImportGraph): P[] {
  return problems.map((problem) => {
    if (problem.target !== undefined || problem.line === undefined) return problem;
    const node = graph.files.get(problem.file);
    const record = node ? importOnLine(node, problem.line) : undefined;
    if (!record) return problem;
    const out = { ...problem, specifier: problem.specifier ?? record.specifier };
    if (record.resolution.kind === "file") out.target = record.resolution.path;
    return out;
  });
}
