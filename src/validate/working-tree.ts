// `swarm validate`: the cross-file checks alone, on the user's working tree against HEAD.
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import type { RepoPath } from "../core/index.js";
import { headTree, workingTreeStatus } from "../git/index.js";
import { decodeUtf8 } from "../util/index.js";
import { checkChanges, computeBaseline } from "./baseline.js";
import type { ImportProblem } from "./types.js";
import { isCheckedPath, isVendored, readHeadSnapshot } from "./head-snapshot.js";

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

/** The content given for a file that is not read: it exists, which is all the graph needs to know. */
const UNREAD = "";

/**
 * - baseline: HEAD's files, read from git (not the disk);
 * - after: HEAD with the working tree's tracked changes and untracked, non-ignored files applied;
 * - the problems the changes introduced.
 * Read-only: git is only asked (status without optional locks), nothing is written to the repo.
 */
export async function validateWorkingTree(top: string, headSha: string): Promise<WorkingTreeValidation> {
  const allPaths = (await headTree(top, headSha)).map((e) => e.path);
  const [head, changes] = await Promise.all([
    readHeadSnapshot(top, { files: [], skips: [], allPaths, headSha }),
    readWorkingTreeChanges(top),
  ]);
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
      if (!isCheckedPath(p)) return void written.set(p, UNREAD);
      const decoded = decodeUtf8(await readFile(absolute));
      if (decoded !== null) written.set(p, decoded.text);
    }),
  );
  return { written, removed };
}
