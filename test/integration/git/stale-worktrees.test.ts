import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pruneStaleWorktrees } from "../../../src/git/stale-worktrees.js";
import { gitSync as git, makeRepo, tempDir } from "../../support/git-repo.js";

// A worktree as writeBranch leaves it when its process is killed: `<tmp>/swarm-wt-*/tree`, with an owner file.
function leftWorktree(repo: string, tmp: string, name: string, owner: object | null): string {
  const root = path.join(tmp, name);
  mkdirSync(root);
  git(repo, ["worktree", "add", "--detach", path.join(root, "tree"), "HEAD"]);
  if (owner) writeFileSync(path.join(root, "swarm-owner.json"), JSON.stringify(owner));
  return root;
}

const listed = (repo: string) => git(repo, ["worktree", "list", "--porcelain"]).split("\n").filter((l) => l.startsWith("worktree ")).map((l) => path.basename(path.dirname(l)));

describe("pruneStaleWorktrees", () => {
  it("removes the worktrees of swarm processes that are gone, and only those", async () => {
    const repo = makeRepo({ "a.ts": "export const a = 1;\n" });
    const tmp = tempDir("swarm-prune-");
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid!;
    const dead = leftWorktree(repo, tmp, "swarm-wt-dead", { tool: "refactor-swarm", pid: deadPid });
    const live = leftWorktree(repo, tmp, "swarm-wt-live", { tool: "refactor-swarm", pid: process.pid });
    const users = leftWorktree(repo, tmp, "users-own", null);

    expect(await pruneStaleWorktrees(repo)).toBe(1);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live) && existsSync(users)).toBe(true);
    expect(listed(repo).slice(1).sort()).toEqual(["swarm-wt-live", "users-own"]);
    // Nothing left to do a second time.
    expect(await pruneStaleWorktrees(repo)).toBe(0);
  });
});
