// The validation edge: what the checks need from HEAD, read once before any request.
// The scan's own files are only what the run works on; the import graph also needs the files the
// scan left out but that import them or are imported (tests, .d.ts, excluded folders, package.json,
// tsconfig.json), or a renamed export would go unnoticed in exactly the files nobody sends to a model.
import type { RepoPath, SkipReason, SourceFile, Skip } from "../core/index.js";
import { readHeadFiles } from "../git/index.js";
import { isParsablePath } from "../graph/index.js";

export interface HeadSnapshot {
  /** Text of every file the checks read: the scan's files plus the other parsable and JSON files at HEAD. */
  files: Map<RepoPath, string>;
  /** The rest of HEAD's paths: they exist (imports of them resolve) but are not read. */
  otherPaths: RepoPath[];
}

/**
 * Never read for the checks: secrets stay out of memory beyond the scan, and the others are not text
 * or not worth parsing (a too-large file is a bundle or generated code; imports of it still resolve).
 */
const UNREAD: ReadonlySet<SkipReason> = new Set<SkipReason>(["secret-name", "secret-content", "binary", "not-utf8", "too-large", "symlink", "submodule"]);

/** A committed node_modules is a vendored copy of packages, not the project's code. */
export const isVendored = (path: RepoPath) => path.startsWith("node_modules/") || path.includes("/node_modules/");

/** The files whose text the checks read: sources, and JSON for tsconfig/package.json and JSON imports. */
export const isCheckedPath = (path: RepoPath) => (isParsablePath(path) || path.endsWith(".json")) && !isVendored(path);

export function snapshotPaths(scan: { files: readonly SourceFile[]; skips: readonly Skip[]; allPaths: readonly RepoPath[] }): {
  known: Map<RepoPath, string>;
  toRead: RepoPath[];
  otherPaths: RepoPath[];
} {
  const known = new Map(scan.files.map((f) => [f.path, f.content]));
  const unread = new Set(scan.skips.filter((s) => UNREAD.has(s.reason)).map((s) => s.path));
  const toRead: RepoPath[] = [];
  const otherPaths: RepoPath[] = [];
  for (const path of scan.allPaths) {
    if (known.has(path)) continue;
    const wanted = isCheckedPath(path) && !unread.has(path);
    (wanted ? toRead : otherPaths).push(path);
  }
  return { known, toRead, otherPaths };
}

/** Reads what the checks need at `rev` (the scan's HEAD sha); files that turn out not to be UTF-8 count as other paths. */
export async function readHeadSnapshot(
  repo: string,
  scan: { files: readonly SourceFile[]; skips: readonly Skip[]; allPaths: readonly RepoPath[]; headSha?: string },
): Promise<HeadSnapshot> {
  const { known, toRead, otherPaths } = snapshotPaths(scan);
  const read = await readHeadFiles(repo, toRead, scan.headSha ?? "HEAD");
  const files = new Map(known);
  for (const path of toRead) {
    const text = read.get(path);
    if (text === undefined) otherPaths.push(path);
    else files.set(path, text);
  }
  return { files, otherPaths: otherPaths.sort() };
}
