// Prompt context from the import graph: exported signatures of a file's imports (refactor prompts) and
// who imports what from a file (repair prompts for an exporter).
import type { RepoPath } from "../core/index.js";
import { exportedDeclarations, type ImportGraph, type ResolvedImport } from "../graph/index.js";

/**
 * Signatures by path and text: a file many others import is parsed once. The last two texts of a path are kept
 * (HEAD's and a run's), found by comparing the text: a path + text key copied the file at every lookup (250 ms of
 * the prompts' 750 ms on 3,500 files).
 */
const cache = new Map<RepoPath, { content: string; signatures: string }[]>();
const MAX_CACHED = 4000;

/** The exported declarations of a file without bodies (see graph/declarations.ts). */
export function exportedSignatures(path: RepoPath, content: string): string {
  const versions = cache.get(path);
  const hit = versions?.find((v) => v.content === content);
  if (hit) return hit.signatures;
  const signatures = exportedDeclarations(path, content);
  if (cache.size >= MAX_CACHED && versions === undefined) cache.clear();
  cache.set(path, [{ content, signatures }, ...(versions ?? []).slice(0, 1)]);
  return signatures;
}

function commonPrefixSegments(a: RepoPath, b: RepoPath): number {
  const left = a.split("/").slice(0, -1);
  const right = b.split("/").slice(0, -1);
  let n = 0;
  while (n < left.length && n < right.length && left[n] === right[n]) n += 1;
  return n;
}

/** Directory steps between two files: same folder 0, sibling folder 2, ... */
function distance(from: RepoPath, to: RepoPath): number {
  const shared = commonPrefixSegments(from, to);
  return from.split("/").length - 1 - shared + (to.split("/").length - 1 - shared);
}

export interface ContextBlock {
  path: RepoPath;
  text: string;
  tokens: number;
}

export interface ContextOptions {
  /**
   * The content to describe instead of the graph's (HEAD's): a dependency this run already rewrote.
   * Undefined for a path keeps the graph's content.
   */
  contentOf?: (path: RepoPath) => string | undefined;
  /** One block's text from its path and signatures. @default `// <path>\n<signatures>` */
  format?: (path: RepoPath, signatures: string) => string;
}

/**
 * Signature blocks of the internal files `file` imports, nearest first (folder distance, then import
 * order), each `// <path>` followed by its signatures. Blocks that do not fit the remaining budget are
 * skipped and smaller ones after them may still fit; files that export nothing visible are left out.
 */
function contextBlocks(
  file: RepoPath,
  graph: ImportGraph,
  budgetTokens: number,
  countTokens: (text: string) => number,
  options: ContextOptions = {},
): ContextBlock[] {
  const dependencies = graph.dependenciesOf(file).filter((d) => d !== file && graph.files.has(d));
  const ordered = dependencies
    .map((path, order) => ({ path, order, distance: distance(file, path) }))
    .sort((a, b) => a.distance - b.distance || a.order - b.order);
  const blocks: ContextBlock[] = [];
  let left = budgetTokens;
  for (const { path } of ordered) {
    const content = options.contentOf?.(path) ?? graph.files.get(path)!.content;
    const signatures = exportedSignatures(path, content);
    if (signatures === "") continue;
    const text = options.format ? options.format(path, signatures) : `// ${path}\n${signatures}`;
    const tokens = countTokens(text) + 1; // the joining newline
    if (tokens > left) continue;
    blocks.push({ path, text, tokens });
    left -= tokens;
  }
  return blocks;
}

/** contextBlocks joined into one text; empty when nothing fits or nothing is imported. */
export function contextFor(
  file: RepoPath,
  graph: ImportGraph,
  budgetTokens: number,
  countTokens: (text: string) => number,
  options: ContextOptions = {},
): string {
  return contextBlocks(file, graph, budgetTokens, countTokens, options)
    .map((b) => b.text)
    .join("\n\n");
}

export interface ImporterUse {
  /** The importing file. */
  file: RepoPath;
  specifier: string;
  line: number;
  kind: ResolvedImport["kind"];
  /** Names it takes from the exporter (usages of `m.prop` included). */
  names: string[];
  default: boolean;
  namespace: boolean;
  /** `export * from` the exporter. */
  star: boolean;
}

/** Who imports what from `exporter`, sorted by file then line (repair prompts for an exporter's task). */
export function importersOf(exporter: RepoPath, graph: ImportGraph): ImporterUse[] {
  const uses: ImporterUse[] = [];
  for (const file of graph.importersOf(exporter)) {
    for (const record of graph.files.get(file)?.imports ?? []) {
      if (record.resolution.kind !== "file" || record.resolution.path !== exporter) continue;
      uses.push({
        file,
        specifier: record.specifier,
        line: record.line,
        kind: record.kind,
        names: [...new Set(record.names.map((n) => n.imported))],
        default: record.default,
        namespace: record.namespace,
        star: record.star ?? false,
      });
    }
  }
  return uses.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

