import type { ErrorInfo } from "../core/index.js";
import { normalizeEol } from "./fence.js";

// SEARCH/REPLACE edit answers (the format aider popularized): a path line, then
//   <<<<<<< SEARCH / existing lines / ======= / new lines / >>>>>>> REPLACE
// several times. Applied strictly: a wrong edit written to a file costs a validation round and a repair,
// a rejected one costs a retry that names the failing block, so nothing fuzzier than whitespace is tried.

export interface EditBlock {
  /** The path line above the block, as the model wrote it (decoration stripped). */
  path: string;
  search: string[];
  replace: string[];
}

/** The file an edit answer applies to: its path and its content as the model was shown it. */
export interface EditTarget {
  path: string;
  content: string;
}

export type EditVerdict = { ok: true; content: string } | { ok: false; error: ErrorInfo };

/** The line that opens a block, as the edit prompt shows it. */
export const EDIT_MARKER = "<<<<<<< SEARCH";
const SEARCH_LINE = /^\s*<{5,9} ?SEARCH\s*$/;
const DIVIDER_LINE = /^\s*={5,9}\s*$/;
const REPLACE_LINE = /^\s*>{5,9} ?REPLACE\s*$/;
const FENCE_LINE = /^\s*(`{3,}|~{3,})/;
/** Lines of the file shown around a failed block: enough to copy a correct SEARCH from, little enough to stay cheap. */
const NEAREST_LINES = 12;

const failure = (message: string): EditVerdict => ({ ok: false, error: { code: "edit-failed", message } });

/** Whether an answer is written in the edit format (it holds a SEARCH or REPLACE marker line). */
export function isEditAnswer(text: string): boolean {
  return normalizeEol(text).split("\n").some((line) => SEARCH_LINE.test(line) || REPLACE_LINE.test(line));
}

/**
 * The blocks of an edit answer, or why it is not one. Text between blocks (explanations, fences) is ignored; a
 * block's path is the last non-blank, non-fence line before its SEARCH marker, or the previous block's path.
 */
function parseEditBlocks(text: string): { ok: true; blocks: EditBlock[] } | { ok: false; error: ErrorInfo } {
  const lines = normalizeEol(text).split("\n");
  const blocks: EditBlock[] = [];
  let candidatePath: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (DIVIDER_LINE.test(line) || REPLACE_LINE.test(line)) {
      return { ok: false, error: { code: "edit-failed", message: `block ${blocks.length + 1}: "${line.trim()}" without a "<<<<<<< SEARCH" line before it` } };
    }
    if (!SEARCH_LINE.test(line)) {
      if (line.trim() !== "" && !FENCE_LINE.test(line)) candidatePath = line;
      continue;
    }
    const n = blocks.length + 1;
    const path = candidatePath === undefined ? blocks.at(-1)?.path : cleanPath(candidatePath);
    if (path === undefined) return { ok: false, error: { code: "edit-failed", message: `block ${n}: no file path line before "<<<<<<< SEARCH"` } };
    const divider = indexFrom(lines, i + 1, (l) => DIVIDER_LINE.test(l), SEARCH_LINE);
    if (divider === -1) return { ok: false, error: { code: "edit-failed", message: `block ${n}: no "=======" line after "<<<<<<< SEARCH"` } };
    const end = indexFrom(lines, divider + 1, (l) => REPLACE_LINE.test(l), SEARCH_LINE);
    if (end === -1) return { ok: false, error: { code: "edit-failed", message: `block ${n}: no ">>>>>>> REPLACE" line after "======="` } };
    blocks.push({ path, search: lines.slice(i + 1, divider), replace: lines.slice(divider + 1, end) });
    candidatePath = undefined;
    i = end;
  }
  if (blocks.length === 0) return { ok: false, error: { code: "edit-failed", message: 'no "<<<<<<< SEARCH" block in the answer' } };
  return { ok: true, blocks };
}

/** First index at or after `from` where `found` holds, or -1 when `stop` (the next block's start) comes first. */
function indexFrom(lines: string[], from: number, found: (line: string) => boolean, stop: RegExp): number {
  for (let i = from; i < lines.length; i++) {
    if (found(lines[i])) return i;
    if (stop.test(lines[i])) return -1;
  }
  return -1;
}

/** `src/a.ts`, **src/a.ts**, ./src/a.ts:, # src/a.ts → src/a.ts. */
function cleanPath(line: string): string {
  return line
    .trim()
    .replace(/^#+\s*/, "")
    .replace(/^[`*"']+|[`*"':]+$/g, "")
    .replace(/^\.\//, "")
    .trim();
}

/**
 * Applies an edit answer to `content`, the file `path` as the model was shown it. Blocks apply in order, each to
 * the content as edited so far; each SEARCH must match exactly once: exactly, else ignoring trailing whitespace
 * and indentation (the REPLACE lines then get the file's indentation shift). Any failure rejects the whole answer
 * with a reason naming the block and the nearest lines of the file. A block for another path is refused.
 * The content's BOM and line endings are kept.
 */
export function applyEditAnswer(content: string, path: string, text: string): EditVerdict {
  const parsed = parseEditBlocks(text);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const { blocks } = parsed;
  const bom = content.startsWith("\ufeff") ? "\ufeff" : "";
  const body = content.slice(bom.length);
  const crlf = body.includes("\r\n");
  let lines = normalizeEol(body).split("\n");
  const wanted = cleanPath(path);
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    const name = `block ${b + 1} of ${blocks.length}`;
    if (block.path !== wanted) return failure(`${name} names ${block.path}; only ${wanted} may be edited`);
    if (block.search.every((line) => line.trim() === "")) return failure(`${name} has an empty SEARCH section; copy the lines to replace from ${wanted}`);
    const applied = applyBlock(lines, block);
    if (!applied.ok) return failure(`${name}: ${applied.reason}\n${nearestLines(lines, block.search)}`);
    lines = applied.lines;
  }
  const joined = lines.join("\n");
  return { ok: true, content: bom + (crlf ? joined.replace(/\n/g, "\r\n") : joined) };
}

type Applied = { ok: true; lines: string[] } | { ok: false; reason: string };

function applyBlock(lines: string[], block: EditBlock): Applied {
  const exact = matchesOf(lines, block.search, (a, b) => a === b);
  if (exact.length === 1) return { ok: true, lines: splice(lines, exact[0], block.search.length, block.replace) };
  if (exact.length > 1) return ambiguous(exact);
  const loose = matchesOf(lines, block.search, (a, b) => a.trim() === b.trim());
  if (loose.length > 1) return ambiguous(loose);
  if (loose.length === 0) return { ok: false, reason: "SEARCH matches no lines of the file (not even ignoring whitespace)" };
  const at = loose[0];
  return { ok: true, lines: splice(lines, at, block.search.length, reindent(block.replace, block.search, lines.slice(at, at + block.search.length))) };
}

function ambiguous(at: number[]): Applied {
  const where = at.slice(0, 5).map((i) => i + 1).join(", ");
  return { ok: false, reason: `SEARCH matches ${at.length} places (lines ${where}${at.length > 5 ? ", …" : ""}); add surrounding lines so it matches one` };
}

function matchesOf(lines: string[], search: string[], same: (a: string, b: string) => boolean): number[] {
  const found: number[] = [];
  for (let i = 0; i + search.length <= lines.length; i++) {
    let j = 0;
    while (j < search.length && same(lines[i + j], search[j])) j++;
    if (j === search.length) found.push(i);
  }
  return found;
}

function splice(lines: string[], at: number, count: number, replacement: string[]): string[] {
  return [...lines.slice(0, at), ...replacement, ...lines.slice(at + count)];
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0];

/**
 * The model's SEARCH was indented differently from the file (a common slip when it re-indents a snippet): shift
 * REPLACE by the same difference, found on the first non-blank line. An irregular difference leaves REPLACE as is.
 */
function reindent(replace: string[], search: string[], found: string[]): string[] {
  const k = search.findIndex((line) => line.trim() !== "");
  const theirs = indentOf(search[k]);
  const ours = indentOf(found[k]);
  if (theirs === ours) return replace;
  if (ours.startsWith(theirs)) {
    const extra = ours.slice(theirs.length);
    return replace.map((line) => (line.trim() === "" ? line : extra + line));
  }
  if (theirs.startsWith(ours)) {
    const less = theirs.length - ours.length;
    return replace.map((line) => (line.startsWith(theirs.slice(0, less)) ? line.slice(less) : line));
  }
  return replace;
}

/** The window of the file most like SEARCH (most lines equal ignoring whitespace), numbered, for the retry. */
function nearestLines(lines: string[], search: string[]): string {
  const wanted = search.map((line) => line.trim()).filter((line) => line !== "");
  const words = new Set(wanted.join(" ").split(/\W+/).filter((w) => w.length > 2));
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    let score = wanted.includes(line) && line !== "" ? 100 : 0;
    for (const w of line.split(/\W+/)) if (words.has(w)) score++;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  const from = Math.max(0, best - 2);
  const to = Math.min(lines.length, from + Math.max(NEAREST_LINES, Math.min(search.length + 4, 2 * NEAREST_LINES)));
  const width = String(to).length;
  const shown = lines.slice(from, to).map((line, i) => `${String(from + i + 1).padStart(width)}| ${line}`);
  return `Nearest lines of the file (${from + 1}–${to}):\n${shown.join("\n")}`;
}
