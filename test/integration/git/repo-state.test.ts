import { mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SwarmError } from "../../../src/core/errors.js";
import { checkRepoState } from "../../../src/git/repo-state.js";
import { gitSync as git, makeRepo, sha256, tempDir } from "../../support/git-repo.js";

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string; exitCode: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SwarmError);
    const e = error as SwarmError;
    expect(e.message).not.toContain("\n");
    return { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode };
  }
  throw new Error("expected a SwarmError");
}

describe("checkRepoState errors", () => {
  it("SWARM_NO_SUCH_PATH for a missing path and for a file", async () => {
    const dir = tempDir();
    expect((await codeOf(checkRepoState(path.join(dir, "nope")))).code).toBe("SWARM_NO_SUCH_PATH");
    writeFileSync(path.join(dir, "file.txt"), "x");
    const e = await codeOf(checkRepoState(path.join(dir, "file.txt")));
    expect(e.code).toBe("SWARM_NO_SUCH_PATH");
    expect(e.exitCode).toBe(2);
  });

  it("SWARM_NOT_A_REPO for a plain directory and for the .git directory itself", async () => {
    expect((await codeOf(checkRepoState(tempDir()))).code).toBe("SWARM_NOT_A_REPO");
    const repo = makeRepo({ "a.txt": "a\n" });
    expect((await codeOf(checkRepoState(path.join(repo, ".git")))).code).toBe("SWARM_NOT_A_REPO");
  });

  it("SWARM_BARE_REPO for a bare repository", async () => {
    const dir = tempDir();
    git(dir, ["init", "--bare", "--quiet", "bare.git"]);
    const e = await codeOf(checkRepoState(path.join(dir, "bare.git")));
    expect(e.code).toBe("SWARM_BARE_REPO");
    expect(e.hint).toContain("clone");
  });

  it("SWARM_NO_COMMITS for a repository without commits", async () => {
    const repo = makeRepo({});
    expect((await codeOf(checkRepoState(repo, { branch: "swarm/x" }))).code).toBe("SWARM_NO_COMMITS");
  });

  it("SWARM_BRANCH_EXISTS names the branch and hints at --branch", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    git(repo, ["branch", "swarm/taken"]);
    const e = await codeOf(checkRepoState(repo, { branch: "swarm/taken" }));
    expect(e.code).toBe("SWARM_BRANCH_EXISTS");
    expect(e.message).toContain("swarm/taken");
    expect(e.hint).toContain("--branch");
  });

  it("SWARM_BRANCH_EXISTS for a file/directory clash with an existing branch", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    git(repo, ["branch", "swarm"]);
    git(repo, ["branch", "feature/deep/x"]);
    const clashUnder = await codeOf(checkRepoState(repo, { branch: "swarm/123" }));
    expect(clashUnder.code).toBe("SWARM_BRANCH_EXISTS");
    expect(clashUnder.message).toContain("`swarm`");
    expect((await codeOf(checkRepoState(repo, { branch: "feature/deep" }))).code).toBe("SWARM_BRANCH_EXISTS");
    // A sibling prefix is no clash.
    await expect(checkRepoState(repo, { branch: "swarmy" })).resolves.toBeTruthy();
  });

  it.each(["", "a..b", "-x", "HEAD", "has space", "x.lock", "trailing/", "a@{1}", "back\\slash", "col:on", "/lead"])(
    "SWARM_BAD_BRANCH for %j",
    async (branch) => {
      const repo = makeRepo({ "a.txt": "a\n" });
      const e = await codeOf(checkRepoState(repo, { branch }));
      expect(e.code).toBe("SWARM_BAD_BRANCH");
      expect(e.message).toContain("--branch");
    },
  );
});

describe("checkRepoState on usable repositories", () => {
  it("reports the top, HEAD, branch and a clean state", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const state = await checkRepoState(repo, { branch: "swarm/20250101-000000-abcd" });
    expect(state).toEqual({
      path: repo,
      top: git(repo, ["rev-parse", "--show-toplevel"]).trim(),
      prefix: "",
      headSha: git(repo, ["rev-parse", "HEAD"]).trim(),
      currentBranch: "main",
      detached: false,
      dirty: false,
      hasSubmodules: false,
    });
  });

  it("works from a subfolder and returns both the folder and the top", async () => {
    const repo = makeRepo({ "pkg/sub/a.txt": "a\n" });
    const state = await checkRepoState(path.join(repo, "pkg", "sub"));
    expect(state.path).toBe(path.join(repo, "pkg", "sub"));
    expect(state.top).toBe(git(repo, ["rev-parse", "--show-toplevel"]).trim());
    expect(state.prefix).toBe("pkg/sub");
  });

  it("accepts a detached HEAD", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["checkout", "--quiet", "--detach", head]);
    const state = await checkRepoState(repo, { branch: "swarm/x" });
    expect(state.detached).toBe(true);
    expect(state.currentBranch).toBeNull();
    expect(state.headSha).toBe(head);
  });

  it("reports dirty for modified and for untracked files", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    writeFileSync(path.join(repo, "a.txt"), "changed\n");
    expect((await checkRepoState(repo)).dirty).toBe(true);
    git(repo, ["checkout", "--", "a.txt"]);
    expect((await checkRepoState(repo)).dirty).toBe(false);
    writeFileSync(path.join(repo, "new.txt"), "n\n");
    expect((await checkRepoState(repo)).dirty).toBe(true);
  });

  it("detects submodules (gitlinks) at HEAD", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["update-index", "--add", "--cacheinfo", `160000,${head},vendor/lib`]);
    git(repo, ["commit", "--quiet", "-m", "add gitlink"]);
    expect((await checkRepoState(repo)).hasSubmodules).toBe(true);
  });

  it("works in a linked worktree (a .git file)", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const linked = path.join(tempDir(), "linked");
    git(repo, ["worktree", "add", "--quiet", "-b", "side", linked]);
    const state = await checkRepoState(linked, { branch: "swarm/y" });
    expect(state.top).toBe(git(linked, ["rev-parse", "--show-toplevel"]).trim());
    expect(state.currentBranch).toBe("side");
  });

  it("is read-only: the index file is byte-identical even when stat data is stale", async () => {
    const repo = makeRepo({ "a.txt": "a\n", "b.txt": "b\n" });
    // Touching a file makes a plain `git status` refresh (rewrite) the index; ours must not.
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(repo, "a.txt"), future, future);
    mkdirSync(path.join(repo, "untracked"));
    writeFileSync(path.join(repo, "untracked", "u.txt"), "u\n");
    const before = sha256(readFileSync(path.join(repo, ".git", "index")));
    await checkRepoState(repo, { branch: "swarm/z" });
    expect(sha256(readFileSync(path.join(repo, ".git", "index")))).toBe(before);
  });
});
