import type { ErrorInfo } from "../core/index.js";
import { normalizeEol } from "./fence.js";
import { stripBom } from "../util/index.js";

export type ParsedAnswer = { ok: true; content: string } | { ok: false; error: ErrorInfo };

interface Fence {
  indent: number;
  char: "`" | "~";
  length: number;
  info: string;
}

interface OpenBlock extends Fence {
  body: string[];
  /** Nested fences opened inside the block and not yet closed (see `parseAnswer`). */
  depth: number;
}

// CommonMark fence line: up to three spaces, then three or more backticks or tildes, then the info
// string. Linear: no nested quantifiers, so a hostile answer cannot make it backtrack.
const FENCE_LINE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const MARKDOWN_INFO = new Set(["markdown", "md", "mdx"]);

export interface ParseOptions {
  /**
   * The file the agent was given holds fence lines itself (its block was sent with a longer fence), so an answer
   * fenced with three backticks around such lines is the likely reading (`outerBlock`). Without it, several
   * bare-fenced blocks stay several blocks.
   */
  sourceHasFences?: boolean;
}

const fail = (code: ErrorInfo["code"], message: string): ParsedAnswer => ({ ok: false, error: { code, message } });

/**
 * Extracts the one fenced code block of a model answer. Total: returns a failure for any input, never throws.
 *
 * - `finishReason === "length"` → "truncated", whatever the text holds (a cut-off file must not be written).
 * - Fences follow CommonMark: 3+ backticks or tildes, indented at most three spaces, closed by a bare fence
 *   of the same character at least as long; a backtick info string (```ts, ```js title=x) holds no backtick.
 *   The info string is ignored, paths in it too: the plan, not the model, decides where the answer goes.
 * - Text before and after the block is allowed and ignored. CRLF is read as LF (`normalizeEol`).
 * - No block, an unterminated block or a block of blank lines → "no-code-block"; two or more → "many-code-blocks".
 *   A trailing bare fence with nothing after it (a common model slip) is ignored.
 * - Two leniencies for nested fences that were not lengthened, both dormant when the outer fence is longer
 *   than every fence inside (what the protocol asks for):
 *   - inside a block, a fence line with an info string that could close it (```ts inside ```markdown) opens a
 *     nested block, and the next bare fence closes that instead of the outer one;
 *   - when the first block is Markdown and the answer splits into several blocks, the answer is taken as one
 *     document from the first fence to the last closing fence, since a Markdown document with bare ``` examples
 *     inside is far likelier than two answers.
 * - When the source holds fence lines (`options.sourceHasFences`), an answer whose outer fence is as short as those
 *   lines is read as one block if that is the one reading (`outerBlock`).
 *
 * The content comes back as the block holds it, lines joined with "\n" plus a final "\n"; the writer restores
 * the original file's EOL and final-newline state.
 */
export function parseAnswer(text: string | null | undefined, finishReason: string | null | undefined, options: ParseOptions = {}): ParsedAnswer {
  if (finishReason === "length") {
    return fail("truncated", 'answer cut off at the output token limit (finish_reason "length")');
  }
  if (typeof text !== "string" || text.trim() === "") return fail("no-code-block", "empty answer");

  const lines = normalizeEol(stripBom(text)).split("\n");
  const blocks: { fence: Fence; body: string[]; startLine: number; endLine: number }[] = [];
  let open: (OpenBlock & { startLine: number }) | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = readFence(line);
    if (open === null) {
      if (fence !== null) open = { ...fence, body: [], depth: 0, startLine: i };
      continue;
    }
    if (fence !== null && fence.char === open.char && fence.length >= open.length) {
      if (fence.info !== "") {
        open.depth++;
      } else if (open.depth > 0) {
        open.depth--;
      } else {
        blocks.push({ fence: open, body: open.body, startLine: open.startLine, endLine: i });
        open = null;
        continue;
      }
    }
    open.body.push(stripIndent(line, open.indent));
  }

  const trailingOpen = open !== null && !open.body.every(isBlank) ? open : null;

  if (blocks.length === 0) {
    return fail("no-code-block", open !== null ? "unterminated code block" : "no fenced code block in the answer");
  }
  if (blocks.length > 1 || trailingOpen !== null) {
    const first = blocks[0];
    if (MARKDOWN_INFO.has(first.fence.info.split(/\s/)[0].toLowerCase())) {
      const merged = mergeMarkdown(lines, first.fence, first.startLine);
      if (merged !== null) return contentOf(merged);
    }
    const outer = options.sourceHasFences ? outerBlock(lines, first.fence, first.startLine) : null;
    if (outer !== null) return contentOf(outer);
    const count = blocks.length + (trailingOpen !== null ? 1 : 0);
    return fail(
      "many-code-blocks",
      trailingOpen !== null && blocks.length === 1
        ? "a complete code block followed by an unterminated one; expected exactly one block"
        : `${count} code blocks in the answer; expected exactly one`,
    );
  }
  return contentOf(blocks[0].body);
}

function contentOf(body: string[]): ParsedAnswer {
  if (body.every(isBlank)) return fail("no-code-block", "empty code block");
  return { ok: true, content: `${body.join("\n")}\n` };
}

function readFence(line: string): Fence | null {
  const match = FENCE_LINE.exec(line);
  if (match === null) return null;
  const [, indent, run, rest] = match;
  const char = run[0] as "`" | "~";
  // CommonMark: a backtick info string cannot contain a backtick (that line is inline code, not a fence).
  if (char === "`" && rest.includes("`")) return null;
  return { indent: indent.length, char, length: run.length, info: rest.trim() };
}

/** Content lines lose up to as many leading spaces as the opening fence had (CommonMark). */
function stripIndent(line: string, indent: number): string {
  let i = 0;
  while (i < indent && line[i] === " ") i++;
  return line.slice(i);
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** A preface longer than this is an explanation, not "Here is the file:"; the answer is then not one block. */
const MAX_PREFACE_LINES = 3;
const MAX_PREFACE_CHARS = 300;

/**
 * The three-backtick mistake: the model wrapped the whole file in a fence no longer than fence lines inside it
 * (JSDoc examples, Markdown in template strings). Taken as one block only when that is the one reading:
 * the opening fence is the first line (after at most a short preface without fences), the closing one is the
 * last fence line with nothing but blank lines after it, and the fence lines between pair up (each opening
 * one, with or without an info string, is followed by a bare closing one). Otherwise null.
 */
function outerBlock(lines: string[], opener: Fence, startLine: number): string[] | null {
  const preface = lines.slice(0, startLine).filter((line) => !isBlank(line));
  if (preface.length > MAX_PREFACE_LINES || preface.join("\n").length > MAX_PREFACE_CHARS) return null;
  let last = -1;
  for (let i = lines.length - 1; i > startLine; i--) {
    if (isBlank(lines[i])) continue;
    const fence = readFence(lines[i]);
    if (fence === null || fence.char !== opener.char || fence.length < opener.length || fence.info !== "") return null;
    last = i;
    break;
  }
  if (last === -1) return null;
  let inside = false;
  for (let i = startLine + 1; i < last; i++) {
    const fence = readFence(lines[i]);
    if (fence === null || fence.char !== opener.char || fence.length < opener.length) continue;
    if (!inside) inside = true;
    else if (fence.info === "") inside = false;
    else return null; // an info string where a block should close: two blocks side by side, not one nested
  }
  if (inside) return null;
  return lines.slice(startLine + 1, last).map((line) => stripIndent(line, opener.indent));
}

/** Body lines from the opening fence to the last bare fence that could close it, or null if text after it holds another fence. */
function mergeMarkdown(lines: string[], opener: Fence, startLine: number): string[] | null {
  let last = -1;
  for (let i = lines.length - 1; i > startLine; i--) {
    const fence = readFence(lines[i]);
    if (fence !== null && fence.char === opener.char && fence.length >= opener.length && fence.info === "") {
      last = i;
      break;
    }
  }
  if (last === -1) return null;
  for (let i = last + 1; i < lines.length; i++) if (readFence(lines[i]) !== null) return null;
  return lines.slice(startLine + 1, last).map((line) => stripIndent(line, opener.indent));
}
