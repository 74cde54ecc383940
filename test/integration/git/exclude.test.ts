import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRunDir, listRuns, newRunId } from "../../../src/run/run-dir.js";
import { ensureSwarmExcluded, excludeFilePath } from "../../../src/git/exclude.js";
import { gitSync as git, makeRepo, tempDir } from "../../support/git-repo.js";

const countLines = (text: string, line: string) => text.split("\n").filter((l) => l === line).length;

describe("ensureSwarmExcluded", () => {
  it("appends /.swarm/ once, however often it is called", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const file = path.join(repo, ".git", "info", "exclude");
    const first = await ensureSwarmExcluded(repo);
    const second = await ensureSwarmExcluded(repo);
    expect(first).toEqual({ file, added: true });
    expect(second).toEqual({ file, added: false });
    expect(countLines(readFileSync(file, "utf8"), "/.swarm/")).toBe(1);
  });

  it("creates a missing info/ directory", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    rmSync(path.join(repo, ".git", "info"), { recursive: true, force: true });
    await ensureSwarmExcluded(repo);
    expect(readFileSync(path.join(repo, ".git", "info", "exclude"), "utf8")).toBe("/.swarm/\n");
  });

  it("keeps existing content and adds a newline when the file lacks one", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const file = path.join(repo, ".git", "info", "exclude");
    writeFileSync(file, "*.log");
    await ensureSwarmExcluded(repo);
    expect(readFileSync(file, "utf8")).toBe("*.log\n/.swarm/\n");
  });

  it("accepts an equivalent line already present", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const file = path.join(repo, ".git", "info", "exclude");
    writeFileSync(file, "# mine\n.swarm/\n");
    expect((await ensureSwarmExcluded(repo)).added).toBe(false);
    expect(readFileSync(file, "utf8")).toBe("# mine\n.swarm/\n");
  });

  it("writes to the common git dir from a linked worktree", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const linked = path.join(tempDir(), "linked");
    git(repo, ["worktree", "add", "--quiet", "-b", "side", linked]);
    const { file } = await ensureSwarmExcluded(linked);
    expect(file).toBe(path.join(git(repo, ["rev-parse", "--show-toplevel"]).trim(), ".git", "info", "exclude"));
    mkdirSync(path.join(linked, ".swarm", "runs"), { recursive: true });
    writeFileSync(path.join(linked, ".swarm", "runs", "x"), "x");
    expect(git(linked, ["status", "--porcelain", "--untracked-files=all"])).toBe("");
  });

  it("handles a .git file (separate git dir)", async () => {
    const root = tempDir();
    const work = path.join(root, "work");
    const gitDir = path.join(root, "store.git");
    git(root, ["init", "--quiet", "--initial-branch=main", `--separate-git-dir=${gitDir}`, work]);
    expect(await excludeFilePath(work)).toBe(path.join(gitDir, "info", "exclude"));
    await ensureSwarmExcluded(work);
    expect(readFileSync(path.join(gitDir, "info", "exclude"), "utf8")).toContain("/.swarm/\n");
    expect(existsSync(path.join(work, ".git", "info"))).toBe(false);
  });
});

describe("createRunDir", () => {
  it("creates the run directory, keeps it out of git status, and lists it", async () => {
    const repo = makeRepo({ "a.txt": "a\n" });
    const runId = newRunId(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), () => "beef");
    const paths = await createRunDir(repo, runId);
    expect(paths.dir).toBe(path.join(repo, ".swarm", "runs", "20250102-030405-beef"));
    writeFileSync(paths.plan, "{}\n");
    writeFileSync(paths.journal, "");
    expect(git(repo, ["status", "--porcelain", "--untracked-files=all"])).toBe("");
    await createRunDir(repo, runId); // idempotent (resume)
    expect((await listRuns(repo)).map((r) => [r.id, r.hasPlan, r.hasJournal, r.hasReport])).toEqual([
      ["20250102-030405-beef", true, true, false],
    ]);
  });
});
