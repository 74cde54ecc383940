import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SwarmError } from "../../../src/core/errors.js";
import { gitAt, knownGitFailure, runGit, streamGit } from "../../../src/git/git.js";
import { headTree, readHeadFiles } from "../../../src/git/head.js";
import { gitSync, makeRepo, tempDir } from "../../support/git-repo.js";

// Swarm started from inside a git hook inherits GIT_DIR / GIT_INDEX_FILE pointing at the hook's repo;
// both the simple-git and the raw runner must ignore them and read the repository they were given.
const HOOK_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "EDITOR"] as const;

describe("the git runner", () => {
  const saved = Object.fromEntries(HOOK_ENV.map((key) => [key, process.env[key]]));
  afterEach(() => {
    for (const key of HOOK_ENV) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("ignores a hook's GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE in both runners", async () => {
    const repo = makeRepo({ "mine.txt": "mine\n" });
    const other = makeRepo({ "other.txt": "other\n" });
    process.env.GIT_DIR = path.join(other, ".git");
    process.env.GIT_WORK_TREE = other;
    process.env.GIT_INDEX_FILE = path.join(other, ".git", "index");
    process.env.EDITOR = "false";

    expect((await gitAt(repo).raw(["ls-files"])).trim()).toBe("mine.txt");
    expect((await runGit(repo, ["ls-files"])).toString("utf8").trim()).toBe("mine.txt");
    expect((await headTree(repo)).map((entry) => entry.path)).toEqual(["mine.txt"]);
    expect([...(await readHeadFiles(repo, ["mine.txt"])).entries()]).toEqual([["mine.txt", "mine\n"]]);
  });

  it("maps a folder outside any repository to the same SwarmError from simple-git, runGit and streamGit", async () => {
    const outside = tempDir("swarm-not-a-repo-");
    const viaSimpleGit = await gitAt(outside)
      .raw(["rev-parse", "HEAD"])
      .then(() => null, (error: unknown) => error);
    const viaRaw = await runGit(outside, ["rev-parse", "HEAD"]).then(() => null, (error: unknown) => error);
    const viaStream = await streamGit(outside, ["cat-file", "--batch"], "HEAD\n", () => {}).then(() => null, (error: unknown) => error);
    for (const error of [viaRaw, viaStream, knownGitFailure(outside, viaSimpleGit)]) {
      expect(error).toBeInstanceOf(SwarmError);
      expect(error).toMatchObject({ code: "SWARM_NOT_A_REPO", message: `not a git repository: ${outside}` });
    }
  });

  it("maps a repository without commits to SWARM_NO_COMMITS", async () => {
    const empty = tempDir("swarm-empty-");
    gitSync(empty, ["init", "-q", "--initial-branch=main"]);
    await expect(headTree(empty)).rejects.toMatchObject({ code: "SWARM_NO_COMMITS" });
  });

  it("stops git and rejects with the consumer's error when a stdout chunk cannot be used", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const sha = gitSync(repo, ["rev-parse", "HEAD"]).trim();
    await expect(
      streamGit(repo, ["cat-file", "--batch"], `${sha}\n`, () => {
        throw new Error("unusable chunk");
      }),
    ).rejects.toThrow("unusable chunk");
  });
});
