// The codemod pass: before any request, the named codemod runs over each planned file in an in-memory ts-morph
// project built from HEAD's text (the same view the run works on; the user's working tree is never touched).
import { Project, type SourceFile } from "ts-morph";
import { usageError, type RepoPath } from "../core/index.js";
import type { ImportGraph } from "../graph/index.js";
import { runBuiltin } from "./builtin/index.js";
import type { LoadedCodemod } from "./load.js";
import type { CodemodContext, CodemodOutcome, CodemodPass, ExtraChange } from "./types.js";

export interface PassInput {
  codemod: LoadedCodemod;
  instruction: string;
  /** The files with a refactor task, in plan order: the codemod's targets. */
  targets: readonly RepoPath[];
  /** HEAD's text of the repository's files (the targets' included). */
  files: ReadonlyMap<RepoPath, string>;
  /** Every path at HEAD, parsed or not. */
  allPaths: readonly RepoPath[];
  graph: ImportGraph;
}

export async function runCodemodPass(input: PassInput): Promise<CodemodPass> {
  return input.codemod.kind === "builtin" ? builtinPass(input, input.codemod.builtin) : userPass(input, input.codemod.run);
}

/** A built-in edits the whole project at once: every target is done; changes elsewhere (importers, a move) are extra. */
function builtinPass(input: PassInput, spec: Extract<LoadedCodemod, { kind: "builtin" }>["builtin"]): CodemodPass {
  // The graph the pass already has (the baseline's): a built-in would otherwise parse and resolve the repository again.
  const result = runBuiltin(spec, { files: input.files, allPaths: input.allPaths, graph: input.graph });
  // A built-in that could do nothing was named wrong (an export that does not exist): said before anything runs.
  if (result.changes.length === 0 && result.problems.length > 0) throw usageError(`--codemod ${input.codemod.spec}: ${result.problems.join("; ")}`);
  const targets = new Set(input.targets);
  const files = new Map<RepoPath, CodemodOutcome>();
  const extra: ExtraChange[] = [];
  for (const change of result.changes) {
    if (targets.has(change.path) && change.content !== null) files.set(change.path, { status: "done", content: change.content, changed: change.content !== input.files.get(change.path) });
    else extra.push(change);
  }
  for (const path of input.targets) if (!files.has(path)) files.set(path, { status: "done", content: input.files.get(path) ?? "", changed: false });
  return { spec: input.codemod.spec, files, extra, problems: [...result.problems], atomic: true };
}

async function userPass(input: PassInput, run: Extract<LoadedCodemod, { kind: "user" }>["run"]): Promise<CodemodPass> {
  const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true, compilerOptions: { allowJs: true } });
  // What each file holds in this pass: HEAD's text, then a transformed target's result. Other files are read-only.
  const view = new Map<RepoPath, string>();
  const sourceFile = (path: RepoPath): SourceFile | undefined => {
    const existing = project.getSourceFile(`/${path}`);
    if (existing) return existing;
    const text = view.get(path) ?? input.files.get(path);
    if (text === undefined || !/\.[cm]?[jt]sx?$/.test(path)) return undefined;
    view.set(path, text);
    return project.createSourceFile(`/${path}`, text, { overwrite: true });
  };
  const files = new Map<RepoPath, CodemodOutcome>();
  const problems: string[] = [];
  for (const path of input.targets) {
    const head = input.files.get(path) ?? "";
    const file = sourceFile(path);
    if (!file) {
      files.set(path, { status: "handed-off", content: head, reason: "not a JS/TS file the codemod can parse" });
      continue;
    }
    let handOff: string | null = null;
    let failure: { reason: string; frame?: string } | null = null;
    const ctx: CodemodContext = {
      instruction: input.instruction,
      path,
      role: "refactor",
      project: {
        getSourceFile: (p) => sourceFile(p),
        getSourceFiles: () => [...input.files.keys()].map(sourceFile).filter((f): f is SourceFile => f !== undefined),
      },
      graph: { importsOf: (p) => input.graph.dependenciesOf(p), importersOf: (p) => input.graph.importersOf(p) },
      handOff: (reason) => {
        handOff ??= String(reason).trim() || "handed off without a reason";
      },
    };
    try {
      await settledOrDry(run(file, ctx));
    } catch (error) {
      failure = failureOf(error);
    }
    const content = textOf(file, path) ?? head;
    discardOtherEdits(project, view, path, problems, input.codemod.spec);
    view.set(path, content);
    if (failure) files.set(path, { status: "failed", content, ...failure });
    else if (handOff !== null) files.set(path, { status: "handed-off", content, reason: handOff });
    else files.set(path, { status: "done", content, changed: content !== head });
  }
  return { spec: input.codemod.spec, files, extra: [], problems, atomic: false };
}

/** The file's text after the codemod; null when it deleted or forgot the file (its HEAD text stays). */
function textOf(file: SourceFile, path: RepoPath): string | null {
  if (file.wasForgotten()) return null;
  return file.getProject().getSourceFile(`/${path}`) === file ? file.getFullText() : null;
}

/** ctx.project is read-only: an edit of another file is put back, and said. */
function discardOtherEdits(project: Project, view: Map<RepoPath, string>, current: RepoPath, problems: string[], spec: string): void {
  for (const [path, text] of view) {
    if (path === current) continue;
    const file = project.getSourceFile(`/${path}`);
    if (file === undefined || file.wasForgotten()) {
      project.createSourceFile(`/${path}`, text, { overwrite: true });
    } else if (file.getFullText() !== text) {
      file.replaceWithText(text);
    } else continue;
    problems.push(`${spec} changed ${path} while transforming ${current}: discarded (ctx.project is read-only)`);
  }
}

/**
 * The codemod's result, or its failure when the event loop runs dry while waiting for it: nothing is left that could
 * settle its promise, and without this the process would exit 0 with nothing done. (A promise waiting on something
 * live, a timer or a socket, is waited for; the user can stop the run.)
 */
function settledOrDry(result: void | Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDry = () => {
      const error = new Error("the codemod's promise never settled: nothing was left pending that could settle it");
      // Its frames would be swarm's, not the codemod's: the report shows no frame for it.
      error.stack = `Error: ${error.message}`;
      // Through a macrotask: the loop must come alive again, or it ends before the next file runs dry in turn.
      setImmediate(() => reject(error));
    };
    process.once("beforeExit", onDry);
    Promise.resolve(result)
      .then(resolve, reject)
      .finally(() => process.off("beforeExit", onDry));
  });
}

/** A throw is that file's failure: its message and the first frame of its stack. */
function failureOf(error: unknown): { reason: string; frame?: string } {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${String(error)}`;
  const frame = error instanceof Error ? error.stack?.split("\n").find((line) => /^\s+at /.test(line))?.trim() : undefined;
  return { reason: message.split("\n")[0]!, ...(frame ? { frame } : {}) };
}
