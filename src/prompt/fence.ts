// Markdown fence helpers shared by the prompt builder and the answer parser, so both sides of the
// protocol agree on what a fence is.

/** Longest run of `char` anywhere in `text` (not only at line starts: cheaper to reason about, never too short). */
export function longestRun(text: string, char: "`" | "~"): number {
  let longest = 0;
  let current = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === char) {
      current++;
      if (current > longest) longest = current;
    } else {
      current = 0;
    }
  }
  return longest;
}

/** Three backticks, or one more than the longest backtick run in `content`, so the content can never close it. */
export function fenceFor(content: string): string {
  return "`".repeat(Math.max(3, longestRun(content, "`") + 1));
}

const LANG_BY_EXTENSION: Readonly<Record<string, string>> = {
  js: "js",
  mjs: "js",
  cjs: "js",
  jsx: "jsx",
  ts: "ts",
  mts: "ts",
  cts: "ts",
  tsx: "tsx",
  md: "markdown",
  mdx: "mdx",
  json: "json",
  css: "css",
  html: "html",
  vue: "vue",
  svelte: "svelte",
  py: "python",
  rb: "ruby",
  go: "go",
  rs: "rust",
  java: "java",
  kt: "kotlin",
  sh: "sh",
  yml: "yaml",
  yaml: "yaml",
};

/** Info-string language for a repo path, from its extension; "text" when unknown. */
export function langFor(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return "text";
  return LANG_BY_EXTENSION[base.slice(dot + 1).toLowerCase()] ?? "text";
}

/**
 * Line breaks as LF. Any run of CRs before an LF, or at the very end, is a line break, so the result
 * never contains "\r\n", appending "\n" cannot create one, and normalizing twice changes nothing (a plain
 * CRLF→LF pass turns "\r\r\n" into a new "\r\n"). Any other CR is content.
 */
export function normalizeEol(text: string): string {
  return text.replace(/\r+\n/g, "\n").replace(/\r+$/, "\n");
}

/**
 * One fenced block holding `content` exactly: line breaks become LF (`normalizeEol`) (the writer restores the file's EOL)
 * and a final newline is added when missing, so parsing the block back yields `content` + "\n".
 */
export function codeBlock(content: string, lang: string): string {
  const body = normalizeEol(content);
  const fence = fenceFor(body);
  const newline = body.endsWith("\n") || body === "" ? "" : "\n";
  return `${fence}${lang}\n${body}${newline}${fence}`;
}
