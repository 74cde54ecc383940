// Pure: the context message of a refactor prompt, the exported signatures (no bodies) of the files the
// task's file imports, so an agent that sees one file still knows the shape of its neighbours.
import type { RepoPath, Task, TaskId, TaskResult } from "../core/index.js";
import type { ImportGraph } from "../graph/index.js";
import { codeBlock, langFor } from "./fence.js";
import { contextFor } from "./signatures.js";

export interface PromptContextOptions {
  /** Token budget of the whole context (config `context.maxTokens`); 0 turns it off. */
  maxTokens: number;
  countTokens: (text: string) => number;
}

/** One file's signatures as Markdown: its path, then one fenced block (what buildMessages expects). */
export function signatureBlock(path: RepoPath, signatures: string): string {
  return `${path}:\n${codeBlock(signatures, langFor(path))}`;
}

/**
 * Token counts by text. The same import's signatures go into the prompt of every file importing it,
 * and into the estimate's copy of that prompt, so counting each text once saves most of the work.
 */
const countMemo = new WeakMap<(text: string) => number, Map<string, number>>();
const MAX_COUNTED = 20_000;

function memoized(countTokens: (text: string) => number): (text: string) => number {
  let memo = countMemo.get(countTokens);
  if (!memo) countMemo.set(countTokens, (memo = new Map()));
  const cache = memo;
  return (text) => {
    let tokens = cache.get(text);
    if (tokens === undefined) {
      tokens = countTokens(text);
      if (cache.size >= MAX_COUNTED) cache.clear();
      cache.set(text, tokens);
    }
    return tokens;
  };
}

/**
 * The context of a refactor task, or undefined for other roles, without a graph, or when nothing fits.
 * - the task file's direct internal imports, nearest folder first, as many as fit `maxTokens`;
 * - an import whose refactor this task waits for (order "dependencies-first") is shown as that refactor
 *   left it; every other import as HEAD has it. Using only awaited results keeps a prompt independent
 *   of which agents happened to finish first, and equal to what the estimate tokenized for HEAD.
 */
export function refactorContext(
  task: Task,
  graph: ImportGraph | null,
  results: ReadonlyMap<TaskId, TaskResult>,
  options: PromptContextOptions,
): string | undefined {
  if (task.role !== "refactor" || graph === null || options.maxTokens <= 0) return undefined;
  const awaited = new Set(task.dependsOn);
  const contentOf = (path: RepoPath): string | undefined => {
    const id: TaskId = `refactor:${path}`;
    if (!awaited.has(id)) return undefined;
    const result = results.get(id);
    return result?.status === "succeeded" ? result.content : undefined;
  };
  const text = contextFor(task.file, graph, options.maxTokens, memoized(options.countTokens), { contentOf, format: signatureBlock });
  return text === "" ? undefined : text;
}

/** Importer → its direct internal imports, for buildPlan's "dependencies-first" order. */
export function importMap(graph: ImportGraph, paths: Iterable<RepoPath>): Map<RepoPath, RepoPath[]> {
  const map = new Map<RepoPath, RepoPath[]>();
  for (const path of paths) {
    const deps = graph.dependenciesOf(path).filter((d) => d !== path);
    if (deps.length > 0) map.set(path, deps);
  }
  return map;
}
