// What the checks read at HEAD for a run: the whole repository, whatever folder the run is scoped to.
// The scope limits which files get tasks, never which files are read, resolved or checked: an import
// into a file outside the folder resolves, and an importer outside it is checked.
import type { RepoPath, Skip, SourceFile } from "../core/index.js";
import { headTree } from "../git/index.js";
import { secretReason } from "../scan/index.js";
import { readHeadSnapshot, type HeadSnapshot } from "./head-snapshot.js";

/** Bigger files outside the scanned folder are bundles or generated code: they exist, but are not parsed. */
const MAX_OUTSIDE_BYTES = 1_000_000;

export async function readRepoSnapshot(
  repo: string,
  scan: { files: readonly SourceFile[]; skips: readonly Skip[]; allPaths: readonly RepoPath[]; headSha?: string },
): Promise<HeadSnapshot> {
  const entries = await headTree(repo, scan.headSha ?? "HEAD");
  const scanned = new Set(scan.allPaths);
  const skips: Skip[] = [...scan.skips];
  for (const e of entries) {
    if (!scanned.has(e.path) && e.size > MAX_OUTSIDE_BYTES) skips.push({ path: e.path, reason: "too-large", detail: "outside the run's folder" });
  }
  const snapshot = await readHeadSnapshot(repo, { ...scan, skips, allPaths: entries.map((e) => e.path) });
  // The scan looked for secrets only inside the folder; a file outside it that holds one stays unread.
  for (const [path, text] of snapshot.files) {
    if (scanned.has(path) || secretReason(path, text) === null) continue;
    snapshot.files.delete(path);
    snapshot.otherPaths.push(path);
  }
  snapshot.otherPaths.sort();
  return snapshot;
}
