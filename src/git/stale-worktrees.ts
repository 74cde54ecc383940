// Worktrees a killed swarm process left behind. Each temporary worktree's folder holds an owner file
// naming the process that made it; a later run removes the ones whose process is gone. Worktrees without
// that file (the user's own, or another tool's) are never touched.
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gitAt, tryGit } from "./git.js";

const OWNER_FILE = "swarm-owner.json";
const TOOL = "refactor-swarm";

/** Marks `tmpRoot` (the folder holding a temporary worktree) as this process's. */
export async function claimTempRoot(tmpRoot: string): Promise<void> {
  await writeFile(path.join(tmpRoot, OWNER_FILE), JSON.stringify({ tool: TOOL, pid: process.pid }) + "\n");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The worktree folders of `repoTop` registered by git, `--porcelain` parsed. */
async function worktreePaths(repoTop: string): Promise<string[]> {
  const out = (await tryGit(gitAt(repoTop), ["worktree", "list", "--porcelain"])) ?? "";
  return out.split("\n").filter((l) => l.startsWith("worktree ")).map((l) => l.slice("worktree ".length));
}

/**
 * Removes the temporary worktrees (and their temp folders) of swarm processes that no longer run, then
 * drops registrations whose folder is gone. Returns how many were removed. Best effort: a failure here
 * must not stop the run, so nothing throws.
 */
export async function pruneStaleWorktrees(repoTop: string): Promise<number> {
  let removed = 0;
  for (const tree of await worktreePaths(repoTop)) {
    const tmpRoot = path.dirname(tree);
    const owner = await readFile(path.join(tmpRoot, OWNER_FILE), "utf8").then((t) => JSON.parse(t) as { tool?: unknown; pid?: unknown }, () => null);
    if (owner?.tool !== TOOL || typeof owner.pid !== "number" || isAlive(owner.pid)) continue;
    await tryGit(gitAt(repoTop), ["worktree", "remove", "--force", tree]);
    await rm(tmpRoot, { recursive: true, force: true }).catch(() => {});
    removed++;
  }
  await tryGit(gitAt(repoTop), ["worktree", "prune"]);
  return removed;
}
