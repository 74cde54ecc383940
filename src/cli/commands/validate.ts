import { isUtf8 } from "node:buffer";
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../../config/load.js";
import { ExitCode } from "../../core/exit-codes.js";
import type { RepoPath } from "../../core/types.js";
import { headTree, readBlobs, workingTreeStatus } from "../../git/head.js";
import { checkRepoState } from "../../git/repo-state.js";
import { isParsablePath } from "../../graph/parse-imports.js";
import { checkChanges, computeBaseline } from "../../validate/baseline.js";
import type { ImportProblem } from "../../validate/checks.js";
import type { CliIO } from "./index.js";

/** What `swarm validate` found; also its `--json` output. */
export interface WorkingTreeValidation {
  repo: string;
  head: string;
  /** Files that differ from HEAD in the working tree (modified, created, deleted), sorted. */
  changed: RepoPath[];
  /** Files whose problems were compared: the changed ones and their importers. */
  checked: number;
  problems: ImportProblem[];
}

/**
 * `swarm validate [repo]`: the cross-file checks alone, on the working tree against HEAD.
 * - baseline: HEAD's files, read from git (not the disk);
 * - after: HEAD with the working tree's tracked changes and untracked, non-ignored files applied;
 * - prints the problems the changes introduced; exit 1 when there are any.
 * Read-only: git is only asked (status without optional locks), nothing is written to the repo.
 */
export async function validateCommand(repo: string, flags: { json?: boolean; config?: string }, io: CliIO): Promise<void> {
  const state = await checkRepoState(path.resolve(io.cwd, repo));
  // No config key changes what validate checks; loading it still rejects a broken --config file, as the other commands do.
  if (flags.config !== undefined) await loadConfig(state.top, path.resolve(io.cwd, flags.config), {});
  const outcome = await validateWorkingTree(state.top, state.headSha);
  io.stdout.write(flags.json ? `${JSON.stringify(outcome, null, 2)}\n` : renderValidation(outcome));
  if (outcome.problems.length > 0) io.exitCode.value = ExitCode.TasksFailed;
}

export async function validateWorkingTree(top: string, headSha: string): Promise<WorkingTreeValidation> {
  const [head, changes] = await Promise.all([readHeadSnapshot(top, headSha), readWorkingTreeChanges(top)]);
  // An edited asset that HEAD has already changes nothing for the checks: only whether a path exists matters.
  const unread = new Set(head.otherPaths);
  for (const [p, text] of changes.written) if (text === UNREAD && unread.has(p)) changes.written.delete(p);
  const baseline = computeBaseline(head.files, { otherPaths: head.otherPaths });
  const check = checkChanges(baseline, { written: changes.written, removed: changes.removed });
  return {
    repo: top,
    head: headSha,
    changed: [...check.changed].sort(),
    checked: check.scope.size,
    problems: check.problems,
  };
}

/** Pure: the plain-text report, one line per problem then a summary line. */
export function renderValidation(outcome: WorkingTreeValidation): string {
  const head = outcome.head.slice(0, 12);
  const lines = outcome.problems.map(
    (p) => `${p.file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.message} (${p.code})`,
  );
  const changed = `${outcome.changed.length} changed ${outcome.changed.length === 1 ? "file" : "files"}`;
  if (outcome.changed.length === 0) lines.push(`no changes against HEAD ${head}`);
  else if (outcome.problems.length === 0) {
    lines.push(`no new problems: ${changed} and their importers checked against HEAD ${head}`);
  } else {
    const files = new Set(outcome.problems.map((p) => p.file)).size;
    const count = outcome.problems.length;
    lines.push(
      `${count} new ${count === 1 ? "problem" : "problems"} in ${files} ${files === 1 ? "file" : "files"} (${changed}, against HEAD ${head})`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The files whose text the checks read: sources, and JSON for tsconfig/package.json and JSON imports.
 * A committed node_modules is vendored packages, not the project's code (as in validate/head-snapshot.ts).
 */
const isVendored = (p: RepoPath) => p.startsWith("node_modules/") || p.includes("/node_modules/");
const isReadable = (p: RepoPath) => (isParsablePath(p) || p.endsWith(".json")) && !isVendored(p);
/** The content given for a file that is not read: it exists, which is all the graph needs to know. */
const UNREAD = "";

function decodeText(bytes: Buffer): string | null {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = hasBom ? bytes.subarray(3) : bytes;
  return isUtf8(text) ? text.toString("utf8") : null;
}

async function readHeadSnapshot(top: string, rev: string): Promise<{ files: Map<RepoPath, string>; otherPaths: RepoPath[] }> {
  const entries = await headTree(top, rev);
  const wanted = entries.filter((e) => e.type === "blob" && (e.mode === "100644" || e.mode === "100755") && isReadable(e.path));
  const blobs = await readBlobs(top, wanted.map((e) => e.oid));
  const files = new Map<RepoPath, string>();
  for (const entry of wanted) {
    const text = decodeText(blobs.get(entry.oid)!);
    if (text !== null) files.set(entry.path, text);
  }
  // Everything else exists (assets, symlinks, binary or non-UTF-8 files): importing it resolves.
  const otherPaths = entries.map((e) => e.path).filter((p) => !files.has(p));
  return { files, otherPaths };
}

async function readWorkingTreeChanges(top: string): Promise<{ written: Map<RepoPath, string>; removed: RepoPath[] }> {
  const status = await workingTreeStatus(top);
  const paths = new Set<RepoPath>(status.untracked);
  for (const change of status.changes) {
    paths.add(change.path);
    if (change.origPath !== undefined) paths.add(change.origPath);
  }
  for (const p of paths) if (isVendored(p)) paths.delete(p);
  const written = new Map<RepoPath, string>();
  const removed: RepoPath[] = [];
  await Promise.all(
    [...paths].map(async (p) => {
      const absolute = path.join(top, ...p.split("/"));
      const stat = await lstat(absolute).catch(() => null);
      if (stat === null) return void removed.push(p);
      if (!stat.isFile()) return;
      if (!isReadable(p)) return void written.set(p, UNREAD);
      const text = decodeText(await readFile(absolute));
      if (text !== null) written.set(p, text);
    }),
  );
  return { written, removed };
}
