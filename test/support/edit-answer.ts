// SEARCH/REPLACE answers for the loopback server: the blocks that turn the file a request showed into the
// answer the server would give whole, written independently of src/prompt/edit-blocks.ts (a test must not
// check the product's parser with the product's own writer). Modes mimic the mistakes models make.

/** How the server writes an edit answer: correctly, or with one of the mistakes models make. */
export type EditAnswerMode = "exact" | "whitespace" | "ambiguous" | "missing-search" | "other-path" | "whole";

interface Hunk {
  /** Source lines [from, to) are replaced by `lines`. */
  from: number;
  to: number;
  lines: string[];
}

interface Block {
  search: string[];
  replace: string[];
}

/** Lines searched ahead for the point where source and target agree again. */
const WINDOW = 400;
/** Equal lines in a row that count as agreeing again. */
const SYNC = 3;

/** The changed regions between `a` and `b`, top to bottom (greedy: good for a few local changes, not a general diff). */
function hunksOf(a: string[], b: string[]): Hunk[] {
  const synced = (x: number, y: number) => {
    for (let t = 0; t < SYNC; t++) {
      if (x + t === a.length && y + t === b.length) return true;
      if (x + t >= a.length || y + t >= b.length || a[x + t] !== b[y + t]) return false;
    }
    return true;
  };
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    let skip: [number, number] = [a.length - i, b.length - j];
    search: for (let d = 1; d <= 2 * WINDOW; d++) {
      for (let k = 0; k <= d; k++) {
        if (synced(i + k, j + d - k)) {
          skip = [k, d - k];
          break search;
        }
      }
    }
    hunks.push({ from: i, to: i + skip[0], lines: b.slice(j, j + skip[1]) });
    i += skip[0];
    j += skip[1];
  }
  return hunks;
}

function occurrences(lines: string[], search: string[]): number {
  let n = 0;
  for (let i = 0; i + search.length <= lines.length; i++) {
    let k = 0;
    while (k < search.length && lines[i + k] === search[k]) k++;
    if (k === search.length) n++;
  }
  return n;
}

/** One block per hunk, each with just enough context to match once in the file as the earlier blocks left it. */
function blocksOf(source: string[], target: string[]): Block[] {
  const current = [...source];
  const blocks: Block[] = [];
  let shift = 0;
  for (const hunk of hunksOf(source, target)) {
    const start = hunk.from + shift;
    const end = hunk.to + shift;
    let before = 0;
    let after = 0;
    for (;;) {
      const s = Math.max(0, start - before);
      const e = Math.min(current.length, end + after);
      const search = current.slice(s, e);
      const unique = search.some((line) => line.trim() !== "") && occurrences(current, search) === 1;
      if (unique || (s === 0 && e === current.length)) break;
      if ((before <= after && s > 0) || e === current.length) before++;
      else after++;
    }
    const s = Math.max(0, start - before);
    const e = Math.min(current.length, end + after);
    const replace = [...current.slice(s, start), ...hunk.lines, ...current.slice(end, e)];
    blocks.push({ search: current.slice(s, e), replace });
    current.splice(s, e - s, ...replace);
    shift += hunk.lines.length - (hunk.to - hunk.from);
  }
  return blocks;
}

/** The edits a model would answer with when asked to turn `source` (the file `path`) into `target`. */
export function editAnswerText(path: string, source: string, target: string, mode: Exclude<EditAnswerMode, "whole"> = "exact"): string {
  const lines = (text: string) => text.replace(/\r\n/g, "\n").split("\n");
  let blocks = blocksOf(lines(source), lines(target));
  if (blocks.length === 0) blocks = [{ search: [lines(source)[0]], replace: [lines(source)[0]] }];
  if (mode === "whitespace") blocks = blocks.map(drift);
  if (mode === "ambiguous") {
    const counts = new Map<string, number>();
    for (const line of lines(source)) if (line.trim() !== "") counts.set(line, (counts.get(line) ?? 0) + 1);
    const repeated = [...counts].find(([, n]) => n > 1)?.[0] ?? lines(source)[0];
    blocks = [{ search: [repeated], replace: [`${repeated} // changed`] }, ...blocks];
  }
  const pathLine = mode === "other-path" ? `other/${path}` : path;
  const text = blocks.map((b) => [pathLine, "<<<<<<< SEARCH", ...b.search, "=======", ...b.replace, ">>>>>>> REPLACE"]);
  if (mode === "missing-search") text[0].splice(1, 1);
  return text.map((b) => b.join("\n")).join("\n\n") + "\n";
}

/** A model's whitespace slips: trailing spaces on SEARCH lines and the whole block indented two spaces off. */
function drift(block: Block): Block {
  const nonBlank = block.search.filter((line) => line.trim() !== "");
  const dedent = nonBlank.length > 0 && nonBlank.every((line) => line.startsWith("  "));
  const shift = (line: string) => (line.trim() === "" ? line : dedent ? line.slice(2) : `  ${line}`);
  return { search: block.search.map((line) => `${shift(line)}  `), replace: block.replace.map(shift) };
}
