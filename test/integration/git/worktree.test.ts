import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SwarmError } from "../../../src/core/errors.js";
import { checkRepoState } from "../../../src/git/repo-state.js";
import { writeBranch, type BranchCommit } from "../../../src/git/worktree.js";
import { UnsafePathError } from "../../../src/util/paths.js";
import { TEST_IDENTITY, gitEnv, gitSync as git, hashIndex, initGitRepo, makeRepo, snapshotRepo, tempDir } from "../../support/git-repo.js";

const BOM = "\ufeff";

/** Blob bytes as the branch holds them. */
function blob(repo: string, rev: string, file: string): Buffer {
  return Buffer.from(git(repo, ["cat-file", "blob", `${rev}:${file}`], {}), "utf8");
}
function show(repo: string, rev: string, file: string): string {
  return git(repo, ["cat-file", "blob", `${rev}:${file}`]);
}
function modeOf(repo: string, rev: string, file: string): string {
  return git(repo, ["ls-tree", rev, "--", file]).split(" ")[0];
}
function treeFiles(repo: string, rev: string): string[] {
  return git(repo, ["ls-tree", "-r", "--name-only", rev]).split("\n").filter(Boolean).sort();
}

/** The worktree machinery left nothing behind: one worktree, no registrations, empty temp root. */
function expectNoLeftovers(repo: string, tmp: string): void {
  const list = git(repo, ["worktree", "list", "--porcelain"]);
  expect(list.split("\n").filter((l) => l.startsWith("worktree ")).length).toBe(1);
  const registrations = path.join(repo, ".git", "worktrees");
  expect(existsSync(registrations) ? readdirSync(registrations) : []).toEqual([]);
  expect(readdirSync(tmp)).toEqual([]);
}

/** Everything about the user's checkout that writeBranch must leave alone (a new branch aside), index bytes included. */
async function userState(repo: string) {
  const { head, branch, status, index, worktrees, files } = await snapshotRepo(repo);
  return { head, branch, status, index, worktrees, files, indexBytes: await hashIndex(repo) };
}

function richRepo(): string {
  return makeRepo({
    "src/a.ts": "export const a = 1;\n",
    "src/win.ts": `${BOM}export const w = 1;\r\nexport const v = 2;\r\n`,
    "src/nofinal.ts": "export const n = 1;",
    "src/old.ts": "export const old = 1;\n",
    "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
    "README.md": "# readme\n",
  });
}

const threeCommits: BranchCommit[] = [
  {
    message: "swarm(refactor): tidy\n\n- src/a.ts\n",
    files: [
      { path: "src/a.ts", content: "export const a = 2;\n", mode: "100644" },
      {
        path: "src/win.ts",
        content: "export const w = 10;\nexport const v = 20;\n",
        original: { hasBom: true, eol: "\r\n", hasFinalNewline: true },
      },
      { path: "src/nofinal.ts", content: "export const n = 2;\n", original: { hasBom: false, eol: "\n", hasFinalNewline: false } },
      { path: "bin/run.sh", content: "#!/bin/sh\necho bye\n" },
    ],
  },
  { message: "swarm(test): add tests", files: [{ path: "src/a.test.ts", content: "test('a', () => {});\n" }] },
  {
    message: "swarm(doc): docs",
    files: [
      { path: "src/old.ts", content: null },
      { path: "docs/tool.sh", content: "#!/bin/sh\n", mode: "100755" },
    ],
  },
];

describe("writeBranch", () => {
  it("creates the branch with one commit per entry holding exactly the given content", async () => {
    const repo = richRepo();
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();

    const result = await writeBranch({ repo, headSha, branch: "swarm/one", commits: threeCommits, tmpDir: tmp });

    expect(result.empty).toBe(false);
    expect(result.commits.map((c) => c.files)).toEqual([
      ["bin/run.sh", "src/a.ts", "src/nofinal.ts", "src/win.ts"],
      ["src/a.test.ts"],
      ["docs/tool.sh", "src/old.ts"],
    ]);
    expect(git(repo, ["rev-parse", "refs/heads/swarm/one"]).trim()).toBe(result.sha);
    expect(result.commits.at(-1)?.sha).toBe(result.sha);
    expect(git(repo, ["rev-list", "--count", `${headSha}..swarm/one`]).trim()).toBe("3");
    expect(git(repo, ["rev-parse", "swarm/one~3"]).trim()).toBe(headSha);
    expect(git(repo, ["log", "--format=%s", "swarm/one"]).split("\n").slice(0, 3)).toEqual([
      "swarm(doc): docs",
      "swarm(test): add tests",
      "swarm(refactor): tidy",
    ]);

    const tip = "swarm/one";
    expect(show(repo, tip, "src/a.ts")).toBe("export const a = 2;\n");
    expect(blob(repo, tip, "src/win.ts").toString("utf8")).toBe(`${BOM}export const w = 10;\r\nexport const v = 20;\r\n`);
    expect(show(repo, tip, "src/nofinal.ts")).toBe("export const n = 2;");
    expect(show(repo, tip, "bin/run.sh")).toBe("#!/bin/sh\necho bye\n");
    expect(modeOf(repo, tip, "bin/run.sh")).toBe("100755"); // kept without an explicit mode
    expect(modeOf(repo, tip, "docs/tool.sh")).toBe("100755");
    expect(modeOf(repo, tip, "src/a.ts")).toBe("100644");
    expect(treeFiles(repo, tip)).toEqual([
      "README.md",
      "bin/run.sh",
      "docs/tool.sh",
      "src/a.test.ts",
      "src/a.ts",
      "src/nofinal.ts",
      "src/win.ts",
    ]);
    // The middle commit has the test file but not yet the deletion.
    expect(treeFiles(repo, "swarm/one~1")).toContain("src/old.ts");
    expectNoLeftovers(repo, tmp);
  });

  it("leaves the user's HEAD, branch, index, status and working-tree bytes untouched (dirty tree)", async () => {
    const repo = richRepo();
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    // A dirty checkout: unstaged edit, staged edit, untracked file.
    writeFileSync(path.join(repo, "src/a.ts"), "export const a = 'wip';\n");
    writeFileSync(path.join(repo, "README.md"), "# staged\n");
    git(repo, ["add", "README.md"]);
    writeFileSync(path.join(repo, "notes.txt"), "scratch\n");
    const before = await userState(repo);

    await writeBranch({ repo, headSha, branch: "swarm/two", commits: threeCommits, tmpDir: tmp });

    expect(await userState(repo)).toEqual(before);
    expect(before.branch).toBe("main");
    expectNoLeftovers(repo, tmp);
  });

  it("skips entries without changes and creates the branch at HEAD when nothing changed", async () => {
    const repo = richRepo();
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    const result = await writeBranch({
      repo,
      headSha,
      branch: "swarm/empty",
      tmpDir: tmp,
      commits: [
        { message: "no files", files: [] },
        { message: "same content", files: [{ path: "src/a.ts", content: "export const a = 1;\n" }] },
        { message: "delete a missing file", files: [{ path: "src/never.ts", content: null }] },
        {
          message: "same bytes after style restore",
          files: [{ path: "src/win.ts", content: "export const w = 1;\nexport const v = 2;", original: { hasBom: true, eol: "\r\n", hasFinalNewline: true } }],
        },
      ],
    });
    expect(result).toEqual({ branch: "swarm/empty", sha: headSha, empty: true, commits: [] });
    expect(git(repo, ["rev-parse", "swarm/empty"]).trim()).toBe(headSha);
    expectNoLeftovers(repo, tmp);
  });

  it("skips only the empty entries among others", async () => {
    const repo = richRepo();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    const result = await writeBranch({
      repo,
      headSha,
      branch: "swarm/some",
      commits: [
        { message: "unchanged", files: [{ path: "src/a.ts", content: "export const a = 1;\n" }] },
        { message: "changed", files: [{ path: "src/new.ts", content: "x\n" }] },
      ],
    });
    expect(result.commits.map((c) => c.message)).toEqual(["changed"]);
    expect(git(repo, ["rev-list", "--count", `${headSha}..swarm/some`]).trim()).toBe("1");
  });

  it.each([
    ["../outside.ts"],
    ["/etc/passwd"],
    [".git/config"],
    [".GIT/hooks/pre-commit"],
    ["sub/.git/config"],
    [".swarm/runs/x/plan.json"],
    ["src\\..\\x.ts"],
    [""],
  ])("refuses the unsafe path %j before creating a worktree", async (unsafe) => {
    const repo = richRepo();
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    const before = await userState(repo);
    await expect(
      writeBranch({
        repo,
        headSha,
        branch: "swarm/bad",
        tmpDir: tmp,
        commits: [{ message: "m", files: [{ path: "src/a.ts", content: "ok\n" }, { path: unsafe, content: "evil\n" }] }],
      }),
    ).rejects.toBeInstanceOf(UnsafePathError);
    expect(git(repo, ["branch", "--list", "swarm/bad"])).toBe("");
    expect(await userState(repo)).toEqual(before);
    expectNoLeftovers(repo, tmp);
  });

  it("refuses to write through a committed symlink that leads outside, and still removes the worktree", async () => {
    const outside = tempDir("swarm-outside-");
    const repo = richRepo();
    symlinkSync(outside, path.join(repo, "linked"));
    git(repo, ["add", "linked"]);
    git(repo, ["commit", "--quiet", "-m", "add symlink"]);
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();

    const attempt = writeBranch({
      repo,
      headSha,
      branch: "swarm/escape",
      tmpDir: tmp,
      commits: [
        { message: "fine", files: [{ path: "src/a.ts", content: "ok\n" }] },
        { message: "escape", files: [{ path: "linked/pwned.ts", content: "evil\n" }] },
      ],
    });
    await expect(attempt).rejects.toThrow(/symlink that leads outside/);
    expect(readdirSync(outside)).toEqual([]);
    expect(git(repo, ["branch", "--list", "swarm/escape"])).toBe("");
    expectNoLeftovers(repo, tmp);
  });

  it("refuses to overwrite a symlinked file", async () => {
    const repo = richRepo();
    symlinkSync("a.ts", path.join(repo, "src", "alias.ts"));
    git(repo, ["add", "src/alias.ts"]);
    git(repo, ["commit", "--quiet", "-m", "alias"]);
    const tmp = tempDir();
    await expect(
      writeBranch({
        repo,
        headSha: git(repo, ["rev-parse", "HEAD"]).trim(),
        branch: "swarm/alias",
        tmpDir: tmp,
        commits: [{ message: "m", files: [{ path: "src/alias.ts", content: "x\n" }] }],
      }),
    ).rejects.toThrow(/is a symlink/);
    expectNoLeftovers(repo, tmp);
  });

  it("works from a detached HEAD and leaves it detached", async () => {
    const repo = richRepo();
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["checkout", "--quiet", "--detach", headSha]);
    const before = await userState(repo);
    const result = await writeBranch({ repo, headSha, branch: "swarm/detached", commits: threeCommits, tmpDir: tmp });
    expect(result.commits).toHaveLength(3);
    expect(await userState(repo)).toEqual(before);
    expect(before.branch).toBe("(detached)");
    expectNoLeftovers(repo, tmp);
  });

  it("fails with SWARM_BRANCH_EXISTS when the branch appeared meanwhile, and cleans up", async () => {
    const repo = richRepo();
    const tmp = tempDir();
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["branch", "swarm/raced"]);
    const error = await writeBranch({ repo, headSha, branch: "swarm/raced", commits: threeCommits, tmpDir: tmp }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwarmError);
    expect((error as SwarmError).code).toBe("SWARM_BRANCH_EXISTS");
    expect(git(repo, ["rev-parse", "swarm/raced"]).trim()).toBe(headSha);
    expectNoLeftovers(repo, tmp);
  });

  it("does not run the user's hooks", async () => {
    const repo = richRepo();
    const marker = path.join(tempDir(), "hook-ran");
    for (const hook of ["post-checkout", "pre-commit", "commit-msg", "post-commit", "reference-transaction", "prepare-commit-msg"]) {
      writeFileSync(path.join(repo, ".git", "hooks", hook), `#!/bin/sh\necho ${hook} >> '${marker}'\nexit 1\n`, { mode: 0o755 });
    }
    await writeBranch({ repo, headSha: git(repo, ["rev-parse", "HEAD"]).trim(), branch: "swarm/hooks", commits: threeCommits });
    expect(existsSync(marker)).toBe(false);
  });

  it("commits as refactor-swarm when the user has no identity, and as the user otherwise", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    await writeBranch({ repo, headSha, branch: "swarm/me", commits: [{ message: "m", files: [{ path: "a.txt", content: "b\n" }] }] });
    expect(git(repo, ["log", "-1", "--format=%an <%ae>|%cn <%ce>", "swarm/me"]).trim()).toBe(
      `${TEST_IDENTITY.name} <${TEST_IDENTITY.email}>|${TEST_IDENTITY.name} <${TEST_IDENTITY.email}>`,
    );

    git(repo, ["config", "--unset", "user.name"]);
    git(repo, ["config", "--unset", "user.email"]);
    const home = tempDir("swarm-home-");
    const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = path.join(home, ".config");
    try {
      await writeBranch({ repo, headSha, branch: "swarm/anon", commits: [{ message: "m", files: [{ path: "a.txt", content: "c\n" }] }] });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    const env = gitEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") });
    expect(git(repo, ["log", "-1", "--format=%an <%ae>|%cn <%ce>", "swarm/anon"], { env }).trim()).toBe(
      "refactor-swarm <swarm@localhost>|refactor-swarm <swarm@localhost>",
    );
    // The fallback identity was passed per command, never written to the user's config.
    expect(() => git(repo, ["config", "--get", "user.email"], { env })).toThrow();
  });

  it("uses an explicit author", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    await writeBranch({
      repo,
      headSha: git(repo, ["rev-parse", "HEAD"]).trim(),
      branch: "swarm/author",
      author: { name: "Bot", email: "bot@example.com" },
      commits: [{ message: "m", files: [{ path: "a.txt", content: "b\n" }] }],
    });
    expect(git(repo, ["log", "-1", "--format=%an <%ae>", "swarm/author"]).trim()).toBe("Bot <bot@example.com>");
  });

  it("treats glob characters literally, commits gitignored outputs, and keeps modes with core.fileMode=false", async () => {
    const repo = makeRepo({ ".gitignore": "generated/\n", "pages/[id].ts": "x\n", "pages/i.ts": "i\n" });
    git(repo, ["config", "core.fileMode", "false"]);
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    const result = await writeBranch({
      repo,
      headSha,
      branch: "swarm/odd",
      commits: [
        {
          message: "m",
          files: [
            { path: "pages/[id].ts", content: "y\n" },
            { path: "generated/out.md", content: "doc\n" },
            { path: "tools/x.sh", content: "#!/bin/sh\n", mode: "100755" },
          ],
        },
      ],
    });
    expect(result.commits[0].files).toEqual(["generated/out.md", "pages/[id].ts", "tools/x.sh"]);
    expect(show(repo, "swarm/odd", "pages/i.ts")).toBe("i\n");
    expect(modeOf(repo, "swarm/odd", "tools/x.sh")).toBe("100755");
  });

  it("rejects malformed input before touching git", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const headSha = git(repo, ["rev-parse", "HEAD"]).trim();
    const base = { repo, headSha, branch: "swarm/x" };
    await expect(writeBranch({ ...base, commits: [{ message: "  ", files: [] }] })).rejects.toThrow(/message is empty/);
    await expect(
      writeBranch({ ...base, commits: [{ message: "m", files: [{ path: "a.txt", content: "1" }, { path: "a.txt", content: "2" }] }] }),
    ).rejects.toThrow(/appears twice/);
    await expect(writeBranch({ ...base, commits: [{ message: "m", files: [{ path: "a.txt", content: "1", mode: "120000" }] }] })).rejects.toThrow(
      /mode must be/,
    );
    expect(git(repo, ["branch", "--list", "swarm/x"])).toBe("");
  });

  it("fails cleanly when a path's parent is a file at HEAD", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const tmp = tempDir();
    mkdirSync(path.join(tmp), { recursive: true });
    await expect(
      writeBranch({
        repo,
        headSha: git(repo, ["rev-parse", "HEAD"]).trim(),
        branch: "swarm/x",
        tmpDir: tmp,
        commits: [{ message: "m", files: [{ path: "a.txt/inner.ts", content: "1\n" }] }],
      }),
    ).rejects.toThrow();
    expect(git(repo, ["branch", "--list", "swarm/x"])).toBe("");
    expectNoLeftovers(repo, tmp);
  });

  it("handles repo and file paths with spaces and non-ASCII characters", async () => {
    const parent = tempDir();
    const repo = path.join(parent, "my repo ü");
    mkdirSync(repo);
    writeFileSync(path.join(repo, "a b.ts"), "1\n");
    await initGitRepo(repo);
    const state = await checkRepoState(repo, { branch: "swarm/ü" });
    const result = await writeBranch({
      repo: state.top,
      headSha: state.headSha,
      branch: "swarm/ü",
      commits: [{ message: "m", files: [{ path: "a b.ts", content: "2\n" }, { path: "dir ö/naïve \"q\".ts", content: "3\n" }] }],
    });
    expect(result.commits[0].files).toEqual(["a b.ts", 'dir ö/naïve "q".ts']);
    expect(show(repo, "swarm/ü", 'dir ö/naïve "q".ts')).toBe("3\n");
  });

  it("names the commit when the worktree cannot be created", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const tmp = tempDir();
    await expect(
      writeBranch({ repo, headSha: "0".repeat(40), branch: "swarm/x", tmpDir: tmp, commits: [{ message: "m", files: [] }] }),
    ).rejects.toThrow(/git worktree add \(at 0{40}\) failed/);
    expectNoLeftovers(repo, tmp);
  });
});
