// Pure: a gate command's text output → file-level problems, and the command line for the affected files.
import type { RepoPath } from "../core/index.js";
import { shellQuote } from "../util/index.js";
import type { ImportProblem } from "./types.js";

/** `{files}` and `{tests}` replaced by the quoted paths; null when the command needs a list that is empty. */
export function expandCommand(template: string, lists: { files: readonly RepoPath[]; tests: readonly RepoPath[] }): string | null {
  if (template.includes("{files}") && lists.files.length === 0) return null;
  if (template.includes("{tests}") && lists.tests.length === 0) return null;
  return template.replaceAll("{files}", lists.files.map(shellQuote).join(" ")).replaceAll("{tests}", lists.tests.map(shellQuote).join(" "));
}

/** A repo-relative path for what a tool printed (relative to the worktree or absolute inside it). */
function toRepoPath(printed: string, worktree: string, known: (p: RepoPath) => boolean): RepoPath | null {
  let p = printed.trim().replaceAll("\\", "/");
  const root = worktree.replaceAll("\\", "/").replace(/\/$/, "");
  if (p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  // macOS tmp dirs print as /private/var/… and /var/…
  const at = p.indexOf(`${root.replace(/^\/private/, "")}/`);
  if (at >= 0) p = p.slice(at + root.replace(/^\/private/, "").length + 1);
  p = p.replace(/^\.\//, "");
  return known(p) ? p : null;
}

/**
 * Problems in the output of a typecheck or lint command: tsc's `path(line,col): error TSn: msg`,
 * `path:line:col: msg` (eslint unix/compact, gcc style), and eslint's stylish blocks (a path line, then
 * indented `line:col  error  msg  rule` lines). Only paths of the repository count.
 */
export function parseGateOutput(output: string, gate: string, worktree: string, known: (p: RepoPath) => boolean): ImportProblem[] {
  const problems: ImportProblem[] = [];
  let stylishFile: RepoPath | null = null;
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    const tsc = /^(.+?)\((\d+),\d+\): (?:error|warning) (TS\d+): (.*)$/.exec(line);
    if (tsc) {
      const file = toRepoPath(tsc[1]!, worktree, known);
      if (file) problems.push({ file, line: Number(tsc[2]), code: `${gate}:${tsc[3]!.toLowerCase()}`, message: tsc[4]! });
      continue;
    }
    const colon = /^(.+?):(\d+):\d+:?\s+(?:(?:error|warning)\s*:?\s*)?(.*)$/.exec(line);
    if (colon && !/^\s/.test(line)) {
      const file = toRepoPath(colon[1]!, worktree, known);
      if (file) {
        problems.push({ file, line: Number(colon[2]), code: gate, message: colon[3]!.trim() });
        continue;
      }
    }
    if (!/^\s/.test(line) && line.trim() !== "") {
      stylishFile = toRepoPath(line, worktree, known);
      continue;
    }
    const stylish = /^\s+(\d+):\d+\s+(error|warning)\s+(.*?)(?:\s{2,}(\S+))?$/.exec(line);
    if (stylish && stylishFile && stylish[2] === "error") {
      problems.push({ file: stylishFile, line: Number(stylish[1]), code: gate, message: stylish[4] ? `${stylish[3]} (${stylish[4]})` : stylish[3]! });
    }
  }
  return problems;
}

/**
 * Which of `tests` the runner's output shows as failed: vitest/jest `FAIL path`, node:test/TAP
 * `not ok … path`, mocha/ava `✖`/`✘` lines naming a path. Empty when the output names none of them.
 */
export function failedTestFiles(output: string, tests: readonly RepoPath[]): RepoPath[] {
  const failed = new Set<RepoPath>();
  const lines = output.split(/\r?\n/).map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""));
  for (const line of lines) {
    if (!/\bFAIL\b|not ok|✖|✘|×|failed|Error/.test(line)) continue;
    for (const test of tests) if (line.includes(test)) failed.add(test);
  }
  return tests.filter((t) => failed.has(t));
}

/** The end of a failing command's output, where runners put the failure, capped for a prompt. */
export function outputExcerpt(output: string, maxChars = 2000): string {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, "").trim();
  return clean.length <= maxChars ? clean : `…${clean.slice(clean.length - maxChars)}`;
}
