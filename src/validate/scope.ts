// Pure: which files a change can break through the compiler.
import type { RepoPath } from "../core/index.js";
import type { ImportGraph } from "../graph/index.js";

/**
 * The changed files that still exist and every file importing one of them, directly or through any
 * number of importers that pass the change on (tsc's builder does the same with declaration
 * signatures), in the graph before or after the change (an import the change removed still tells who
 * used the file).
 */
export function transitiveImporters(
  before: ImportGraph,
  after: ImportGraph,
  changed: Iterable<RepoPath>,
  /**
   * Whether an unchanged importer can pass a change of `from` on to its own importers (its exported types
   * name or infer from what it imports). Without it, every importer does. Changed files always pass it on.
   */
  passesOn?: (importer: RepoPath, from: RepoPath) => boolean,
): Set<RepoPath> {
  const changedSet = new Set(changed);
  const out = new Set<RepoPath>();
  const seen = new Set<RepoPath>();
  const queue: RepoPath[] = [];
  for (const path of changedSet) {
    if (seen.has(path)) continue;
    seen.add(path);
    queue.push(path);
  }
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (after.files.has(path)) out.add(path);
    for (const graph of [after, before]) {
      for (const importer of graph.importers.get(path) ?? []) {
        if (seen.has(importer)) continue;
        if (after.files.has(importer)) out.add(importer);
        if (passesOn && !changedSet.has(importer) && !passesOn(importer, path)) continue;
        seen.add(importer);
        queue.push(importer);
      }
    }
  }
  return out;
}
