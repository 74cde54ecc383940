import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { SwarmError, SwarmErrorCode } from "../core/index.js";

/** Outcome of {@link checkOutputPath}: the path is safe to write, or a one-line reason why not. */
export type OutputPathCheck = { ok: true } | { ok: false; reason: string };

// Characters Git (protectHFS) and macOS ignore when comparing names, so ".g\u200cit" is ".git" there.
const IGNORABLE_CODE_POINTS = /[\u200b-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * Is `name` the git directory under some file system's idea of equality?
 * Covers case folding (`.GIT`), Windows dropping trailing dots and spaces (`.git. `), the 8.3
 * short name (`GIT~1`) and HFS+ ignorable code points, mirroring git's own `verify_path` guards.
 */
function isGitDirName(name: string): boolean {
  const folded = name.replace(IGNORABLE_CODE_POINTS, "").replace(/[. ]+$/, "").toLowerCase();
  return folded === ".git" || folded === "git~1";
}

/**
 * Pure guard for a path a task (or the commit step) is about to write, relative to the repo top.
 * Only canonical repo-relative POSIX paths pass: no absolute paths, no `.`/`..`/empty segments,
 * no backslashes (a separator on Windows, an escape hazard on POSIX), no control characters,
 * nothing inside any `.git` directory and nothing inside the top-level `.swarm/` run directory.
 */
export function checkOutputPath(repoTop: string, repoPath: string): OutputPathCheck {
  if (repoPath.trim() === "") return { ok: false, reason: "path is empty" };
  if (/[\u0000-\u001f\u007f]/.test(repoPath)) return { ok: false, reason: "path contains a control character" };
  if (repoPath.includes("\\")) return { ok: false, reason: "path contains a backslash" };
  if (repoPath.startsWith("/") || /^[a-zA-Z]:/.test(repoPath)) return { ok: false, reason: "path is absolute" };

  const segments = repoPath.split("/");
  for (const segment of segments) {
    if (segment === "..") return { ok: false, reason: "path contains `..`" };
    if (segment === "." || segment === "") return { ok: false, reason: "path is not in canonical form (`.` or empty segment)" };
    if (isGitDirName(segment)) return { ok: false, reason: "path points into a .git directory" };
  }
  if (segments[0].toLowerCase() === ".swarm") return { ok: false, reason: "path points into the .swarm/ run directory" };

  // Belt and braces: whatever the checks above missed, the resolved path must stay under the top.
  const top = path.resolve(repoTop);
  const resolved = path.resolve(top, repoPath);
  if (resolved === top || !resolved.startsWith(top + path.sep)) return { ok: false, reason: "path leaves the repository" };
  return { ok: true };
}

/**
 * Thrown when a write would land outside the tree it is meant for. A SwarmError, so the CLI prints it
 * as one line with exit 2 rather than as an internal error: it is caused by the repository's content
 * (a committed symlink, an odd file name), and nothing has been written when it is thrown.
 */
export class UnsafePathError extends SwarmError {
  readonly path: string;
  readonly reason: string;

  constructor(repoPath: string, reason: string) {
    super(SwarmErrorCode.UnsafeOutput, `refusing to write \`${repoPath}\`: ${reason}`, {
      hint: "a task only writes its own output path, as a regular file inside the repository; nothing was written",
    });
    this.name = "UnsafePathError";
    this.path = repoPath;
    this.reason = reason;
  }
}

/** Throws {@link UnsafePathError} unless {@link checkOutputPath} accepts the path. */
export function assertOutputPath(repoTop: string, repoPath: string): void {
  const check = checkOutputPath(repoTop, repoPath);
  if (!check.ok) throw new UnsafePathError(repoPath, check.reason);
}

/**
 * fs-aware half of the guard: refuses to write through a symlink. Every existing directory on the
 * way to `repoPath` must be a real directory, so its real path is exactly `<worktree>/<dirs>`, and
 * the file itself must not be a symlink. Stricter than "stays inside the tree" on purpose: a write
 * through an in-tree symlink would change some other path than the task's own output.
 *
 * Call {@link checkOutputPath} first; this one assumes a canonical relative path.
 */
export async function assertNoSymlinkEscape(worktreeDir: string, repoPath: string): Promise<void> {
  const root = await realpath(worktreeDir);
  const segments = repoPath.split("/");
  const target = path.join(root, ...segments);

  // Walk up to the deepest directory that already exists; the missing rest will be created by us.
  let existingDir = path.dirname(target);
  for (;;) {
    const stat = await lstat(existingDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    if (stat) break;
    existingDir = path.dirname(existingDir);
    if (existingDir.length < root.length) throw new UnsafePathError(repoPath, "parent directory is outside the worktree");
  }
  const realDir = await realpath(existingDir);
  if (realDir !== existingDir) {
    const isInside = realDir === root || realDir.startsWith(root + path.sep);
    throw new UnsafePathError(
      repoPath,
      isInside ? "a parent directory is a symlink" : "a parent directory is a symlink that leads outside the worktree",
    );
  }

  const own = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
    throw error;
  });
  if (own?.isSymbolicLink()) throw new UnsafePathError(repoPath, "the path is a symlink");
}
