// The scan edge: what HEAD holds → source files and skips.
//
// How the globs are applied (measured on a generated repo of 10,000 committed files plus a 20,000-file
// gitignored node_modules, 2 vCPUs, default include/exclude; medians of several runs):
//   globby over the working tree, gitignore: true ........................ ~460-800 ms (then still
//     has to be intersected with HEAD, and sees the working tree instead of the run's input)
//   globby over HEAD's path list served from memory (tree-fs.ts), gitignore: true ... ~180-390 ms
//   same, gitignore: false, then globby's isGitIgnoredSync over a tree of only
//     HEAD's .gitignore files ............................................ ~50-130 ms + ~5 ms   ← used
// The in-memory tree keeps globby's exact glob semantics (it is globby doing the matching, through its
// documented `fs` option) while never touching the disk, and it makes the result a function of HEAD:
// HEAD's own .gitignore files decide, not uncommitted edits to them. Whole scan of that repo: see
// scanRepo's figure in the helper report (~0.5-0.9 s, dominated by reading 28 MB of blobs).
import nodePath from "node:path";
import { globbySync, isGitIgnoredSync } from "globby";
import type { RepoPath, Skip, SourceFile } from "../core/index.js";
import { headSha, headTree, readBlobs, workingTreeStatus, type HeadEntry, type WorkingTreeStatus } from "../git/index.js";
import { isConfigFile } from "../secrets/index.js";
import { classifyFile, skipBeforeReading } from "./filters.js";
import { secretNameReason } from "./secrets.js";
import { createTreeFs } from "./tree-fs.js";

export interface ScanOptions {
  /** Globs (globby syntax, repo-relative) of files to work on. */
  include: string[];
  /** Globs of files to leave alone even when `include` matches them. */
  exclude: string[];
  /** Files larger than this are skipped without being read. */
  maxFileBytes: number;
  /** The setting that limit comes from, for the skip's reason. @default "maxFileBytes" */
  maxFileBytesName?: string;
  /**
   * Repo-relative folder the run is scoped to (`swarm plan packages/api`); "" or absent for the whole repo.
   * Only files under it are scanned, and include/exclude/.gitignore are read relative to it, as if it were
   * the repository. Returned paths stay repo-relative, because git and the branch speak in those.
   */
  scope?: string;
}

export interface ScanResult {
  /** Files to send, as HEAD holds them, sorted by path. */
  files: SourceFile[];
  /** Files kept out, sorted by path, each with a reason. */
  skips: Skip[];
  /** Every blob path at HEAD under the scope (the whole repository when there is none), sorted. */
  allPaths: RepoPath[];
  /** Every blob path at HEAD in the whole repository, sorted: a folder run follows the repository's test convention. */
  repoPaths: RepoPath[];
  headSha: string;
  warnings: string[];
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Scans what HEAD holds.
 * - lists HEAD's tree and the working tree's status (for untracked files and the uncommitted-changes warning);
 * - matches include/exclude and HEAD's .gitignore files with globby over an in-memory copy of the tree;
 * - classifies each match from its tree entry, reading only the blobs that can still become files;
 * - lists secret-named files anywhere in HEAD as skips, so the user sees they were kept out.
 */
export async function scanRepo(repo: string, options: ScanOptions): Promise<ScanResult> {
  const root = nodePath.resolve(repo);
  // The tree is listed by sha, not "HEAD", so files and headSha agree even if a commit lands meanwhile.
  const [{ sha, tree: fullTree }, fullStatus] = await Promise.all([
    headSha(root).then(async (sha) => ({ sha, tree: await headTree(root, sha) })),
    workingTreeStatus(root),
  ]);
  const scope = options.scope ? `${options.scope.replace(/\/+$/, "")}/` : "";
  const { tree, status } = scope ? narrowToScope(fullTree, fullStatus, scope) : { tree: fullTree, status: fullStatus };

  const entries = new Map<RepoPath, HeadEntry>(tree.map((entry) => [entry.path, entry]));
  const matched = await matchPaths(root, tree, status.untracked, options);

  const skips: Skip[] = [];
  const toRead: HeadEntry[] = [];
  const seen = new Set<RepoPath>();
  for (const path of matched) {
    seen.add(path);
    const entry = entries.get(path);
    if (!entry) {
      skips.push({ path, reason: "untracked", detail: "not committed, so not part of this run" });
      continue;
    }
    const early = skipBeforeReading(entry, options);
    if (early) skips.push(early);
    else toRead.push(entry);
  }
  // Config files outside include are never sent, but one holding a literal credential is listed too,
  // so the user sees it kept out (as with secret names).
  const configs: HeadEntry[] = [];
  for (const entry of tree) {
    if (seen.has(entry.path) || entry.type !== "blob") continue;
    const reason = secretNameReason(entry.path);
    if (reason) skips.push({ path: entry.path, reason: "secret-name", detail: `${reason}; kept out of every prompt` });
    else if (isConfigFile(entry.path) && skipBeforeReading(entry, options) === null) configs.push(entry);
  }

  const blobs = await readBlobs(root, [...toRead, ...configs].map((entry) => entry.oid));
  const files: SourceFile[] = [];
  for (const entry of toRead) {
    const result = classifyFile(entry, blobs.get(entry.oid) as Buffer, options);
    if ("reason" in result) skips.push(result);
    else files.push(result);
  }
  for (const entry of configs) {
    const result = classifyFile(entry, blobs.get(entry.oid) as Buffer, options);
    if ("reason" in result && result.reason === "secret-content") skips.push(result);
  }

  const warnings: string[] = [];
  if (status.changes.length > 0) {
    const n = status.changes.length;
    warnings.push(
      `${n} uncommitted change${n === 1 ? " is" : "s are"} not part of this run (it works from HEAD ${sha.slice(0, 7)})`,
    );
  }
  if (matched.length === 0) {
    warnings.push(`no file at HEAD matches include (${options.include.join(", ")}) outside exclude and .gitignore`);
  }

  const rebase = <T extends { path: RepoPath }>(item: T): T => (scope ? { ...item, path: scope + item.path } : item);
  const blobPaths = (entries: readonly HeadEntry[], prefix: string) => entries.filter((entry) => entry.type === "blob").map((entry) => prefix + entry.path).sort();
  const allPaths = blobPaths(tree, scope);
  return {
    files: files.sort(byPath).map(rebase),
    skips: skips.sort((a, b) => byPath(a, b) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)).map(rebase),
    allPaths,
    repoPaths: scope ? blobPaths(fullTree, "") : allPaths,
    headSha: sha,
    warnings,
  };
}

/** The part of HEAD and of the working tree under `scope` (ending in "/"), with paths relative to it. */
function narrowToScope(tree: HeadEntry[], status: WorkingTreeStatus, scope: string): { tree: HeadEntry[]; status: WorkingTreeStatus } {
  const under = (path: RepoPath) => path.startsWith(scope);
  return {
    tree: tree.filter((entry) => under(entry.path)).map((entry) => ({ ...entry, path: entry.path.slice(scope.length) })),
    status: {
      changes: status.changes.filter((change) => under(change.path)).map((change) => ({ ...change, path: change.path.slice(scope.length) })),
      untracked: status.untracked.filter(under).map((path) => path.slice(scope.length)),
    },
  };
}

/**
 * Paths (HEAD entries and untracked files) matched by include, not by exclude, and not ignored by HEAD's
 * .gitignore files. Untracked files come from `git status`, which has already applied git's full ignore
 * rules (including .git/info/exclude) to them.
 */
async function matchPaths(
  root: string,
  tree: HeadEntry[],
  untracked: RepoPath[],
  options: ScanOptions,
): Promise<RepoPath[]> {
  const gitignores = tree.filter((entry) => entry.type === "blob" && entry.path.split("/").pop() === ".gitignore");
  const gitignoreBlobs = await readBlobs(root, gitignores.map((entry) => entry.oid));
  const gitignoreText = new Map(gitignores.map((entry) => [entry.path, gitignoreBlobs.get(entry.oid)?.toString("utf8")]));

  const treeFs = createTreeFs({ root, files: [...tree.map((entry) => entry.path), ...untracked], readText: () => undefined });
  const globbed = globbySync(options.include, {
    cwd: root,
    ignore: options.exclude,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    // fast-glob types `fs` as Partial<typeof node:fs> overloads; ours is the documented structural subset.
    fs: treeFs as never,
  });

  // The ignore files are found by walking a tree of only those files, which is near free, instead of
  // letting globby walk all 10,000 paths a second time looking for them.
  const ignoreFs = createTreeFs({ root, files: gitignoreText.keys(), readText: (path) => gitignoreText.get(path) });
  const isIgnored = gitignores.length === 0 ? () => false : isGitIgnoredSync({ cwd: root, fs: ignoreFs as never });
  const headPaths = new Set(tree.map((entry) => entry.path));
  // Repo-relative paths: the predicate's absolute-path branch costs ~40% more (path.relative per call).
  return globbed.filter((path) => !headPaths.has(path) || !isIgnored(path)).sort();
}
