// Pure: the messages of one repair step. The agent sees its own broken file (the last message, as in
// every step), the problems in plain words, and the other side of each problem as it is now: what the
// files it imports export, or who imports what from it.
import type { AnswerFormat, RepoPath, Task } from "../core/index.js";
import type { Problem } from "../events/index.js";
import type { ImportGraph } from "../graph/index.js";
import { buildMessages, exportedSignatures, importersOf, signatureBlock, type ChatMessage, type ImporterUse } from "../prompt/index.js";

export interface RepairPromptInput {
  task: Task;
  /** The task's output as it is now (the broken content). */
  content: string;
  /** The problems this task is blamed for. */
  problems: readonly Problem[];
  /** The graph of the current snapshot (HEAD with the run's changes). */
  graph: ImportGraph;
  /** HEAD's graph: for an import that no longer resolves, what the file imported before. */
  graphBefore?: ImportGraph;
  instruction: string;
  conventions: string;
  /** Token budget of the context message; repairs get at least MIN_REPAIR_CONTEXT_TOKENS. */
  maxContextTokens: number;
  countTokens: (text: string) => number;
  /** "search-replace": the repair answers with edits of `content` (a large refactored file). @default "whole" */
  format?: AnswerFormat;
}

/** Without the other side a repair is a guess, so it gets some context even when refactors get none. */
export const MIN_REPAIR_CONTEXT_TOKENS = 2000;
/** Importer lines listed for an exporter; the ones with problems come first. */
const MAX_IMPORTER_LINES = 40;

/** One line per problem, as the repair agent reads it. */
export function describeProblem(problem: Problem, output: RepoPath): string {
  const at = problem.line !== undefined ? `:${problem.line}` : "";
  if (problem.file === output) {
    const other = problem.target !== undefined && problem.target !== output ? ` (the import resolves to ${problem.target})` : "";
    return `- ${problem.file}${at}: ${problem.message} [${problem.code}]${other}`;
  }
  return `- ${problem.file}${at} imports from this file: ${problem.message} [${problem.code}]`;
}

export function repairMessages(input: RepairPromptInput): ChatMessage[] {
  const { task, problems } = input;
  return buildMessages({
    task,
    kind: "repair",
    instruction: input.instruction,
    conventions: input.conventions,
    source: { path: task.output, content: input.content },
    problems: problems.map((p) => describeProblem(p, task.output)).join("\n"),
    context: repairContext(input),
    ...(input.format === undefined ? {} : { format: input.format }),
  });
}

/**
 * The other side of the task's problems:
 * - as the importer: the current exported signatures of each file it imports with a problem (and, for an
 *   import that no longer resolves, of the files it imported at HEAD that it no longer reaches);
 * - as the exporter: each file importing it, with the names it takes.
 */
export function repairContext(input: RepairPromptInput): string {
  const { task, problems, graph } = input;
  const output = task.output;
  let left = Math.max(input.maxContextTokens, MIN_REPAIR_CONTEXT_TOKENS);
  const parts: string[] = [];
  const add = (text: string): boolean => {
    const tokens = input.countTokens(text) + 2;
    if (tokens > left) return false;
    parts.push(text);
    left -= tokens;
    return true;
  };

  const importers = problems.filter((p) => p.file !== output).map((p) => p.file);
  if (importers.length > 0) {
    const uses = importersOf(output, graph);
    const first = new Set(importers);
    const ordered = [...uses.filter((u) => first.has(u.file)), ...uses.filter((u) => !first.has(u.file))].slice(0, MAX_IMPORTER_LINES);
    if (ordered.length > 0) add(`Files that import ${output}, and what they take from it:\n${ordered.map(useLine).join("\n")}`);
  }

  const targets: RepoPath[] = [];
  for (const p of problems) {
    if (p.file === output && p.target !== undefined && p.target !== output && !targets.includes(p.target)) targets.push(p.target);
  }
  if (input.graphBefore && problems.some((p) => p.file === output && p.code === "unresolved-import")) {
    const now = new Set(graph.dependenciesOf(output));
    for (const before of input.graphBefore.dependenciesOf(output)) {
      if (!now.has(before) && graph.files.has(before) && !targets.includes(before)) targets.push(before);
    }
  }
  for (const target of targets) {
    const node = graph.files.get(target);
    if (!node) continue;
    const signatures = exportedSignatures(target, node.content);
    add(`What ${target} exports now:\n${signatureBlock(target, signatures === "" ? "// (no exports)" : signatures)}`);
  }
  return parts.join("\n\n");
}

function useLine(use: ImporterUse): string {
  const what: string[] = [];
  if (use.star) what.push("* (re-exports everything)");
  if (use.default) what.push("default");
  if (use.names.length > 0) what.push(`{ ${use.names.join(", ")} }`);
  if (use.namespace && use.names.length === 0 && !use.star) what.push("the whole module");
  return `- ${use.file}:${use.line} ${use.kind === "export-from" ? "re-exports" : "imports"} ${what.length > 0 ? what.join(", ") : "it for side effects"} from "${use.specifier}"`;
}
