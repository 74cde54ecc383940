// A temporary worktree at HEAD where the user's own gate commands (typecheck, lint, test) run: first on
// HEAD, then on the run's result. The user's working tree, index and branch are never touched, and the
// user's installed packages are linked in, never copied.
import { lstat, mkdir, mkdtemp, rm, stat, symlink, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RepoPath } from "../core/index.js";
import { assertOutputPath } from "../util/index.js";
import { gitAt, gitErrorLine, tryGit } from "./git.js";
import { claimTempRoot } from "./stale-worktrees.js";

export interface GateWorktree {
  /** Absolute path of the worktree. */
  dir: string;
  /** Sets files to the given content; `null` removes the file. */
  write(files: ReadonlyMap<RepoPath, string | null>): Promise<void>;
  remove(): Promise<void>;
}

const GIT_CONFIG = ["core.hooksPath=/dev/null", "core.fsmonitor=false", "gc.auto=0", "maintenance.auto=false", "core.autocrlf=false"];

/**
 * `git worktree add --detach` at `headSha` under the OS temp dir, with a symlink to each node_modules
 * folder of the user's tree (`packageDirs`: folders holding a package.json, "" for the root).
 */
export async function openGateWorktree(input: { repo: string; headSha: string; packageDirs: readonly RepoPath[]; tmpDir?: string }): Promise<GateWorktree> {
  const tmpRoot = await mkdtemp(path.join(input.tmpDir ?? os.tmpdir(), "swarm-gate-"));
  const dir = path.join(tmpRoot, path.basename(tmpRoot)); // unique: see worktree.ts
  const git = gitAt(input.repo, GIT_CONFIG);
  try {
    await claimTempRoot(tmpRoot);
    await git.raw(["worktree", "add", "--detach", dir, input.headSha]);
  } catch (error) {
    await rm(tmpRoot, { recursive: true, force: true });
    throw new Error(`git worktree add (at ${input.headSha}) failed: ${gitErrorLine(error)}`, { cause: error });
  }
  for (const pkgDir of input.packageDirs) {
    const from = path.join(input.repo, ...pkgDir.split("/").filter(Boolean), "node_modules");
    const to = path.join(dir, ...pkgDir.split("/").filter(Boolean), "node_modules");
    const isDir = await stat(from).then((s) => s.isDirectory(), () => false);
    const exists = await lstat(to).then(() => true, () => false);
    if (isDir && !exists) await symlink(from, to, "dir").catch(() => undefined);
  }
  return {
    dir,
    async write(files) {
      for (const [file, content] of files) {
        assertOutputPath(dir, file);
        const target = path.join(dir, ...file.split("/"));
        if (content === null) {
          await unlink(target).catch(() => undefined);
          continue;
        }
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    },
    async remove() {
      await tryGit(git, ["worktree", "remove", "--force", dir]);
      await rm(tmpRoot, { recursive: true, force: true }).catch(() => undefined);
      await tryGit(git, ["worktree", "prune"]);
    },
  };
}
