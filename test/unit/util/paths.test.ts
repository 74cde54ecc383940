import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertNoSymlinkEscape, assertOutputPath, checkOutputPath, UnsafePathError } from "../../../src/util/paths.js";
import { tempDir } from "../../support/git-repo.js";

const TOP = "/work/repo";

describe("checkOutputPath", () => {
  it.each([
    ["src/a.ts"],
    ["a.ts"],
    ["src/a.test.ts"],
    ["docs/src/a.ts.md"],
    [".github/workflows/ci.yml"],
    ["pkg/.swarm/x.ts"], // only the top-level .swarm/ is ours
    ["src/.gitignore"],
    ["src/.gitkeep"],
    ["src/git/x.ts"],
    ["pages/[id].ts"],
    ["dir with space/ünïcödé.ts"],
    ["...ts"],
  ])("accepts %j", (p) => {
    expect(checkOutputPath(TOP, p)).toEqual({ ok: true });
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["/etc/passwd", "absolute"],
    ["C:/x.ts", "absolute"],
    ["c:x.ts", "absolute"],
    ["../x.ts", "`..`"],
    ["src/../../x.ts", "`..`"],
    ["src/..", "`..`"],
    ["./src/a.ts", "canonical"],
    ["src//a.ts", "canonical"],
    ["src/a.ts/", "canonical"],
    ["src\\..\\..\\x.ts", "backslash"],
    ["src\\a.ts", "backslash"],
    [".git/config", ".git"],
    [".git", ".git"],
    [".GIT/config", ".git"],
    [".Git/hooks/pre-commit", ".git"],
    ["sub/.git/config", ".git"],
    [".git./config", ".git"],
    [".git /config", ".git"],
    ["GIT~1/config", ".git"],
    [".g\u200cit/config", ".git"],
    [".swarm/runs/x", ".swarm"],
    [".SWARM/x", ".swarm"],
    [".swarm", ".swarm"],
    ["src/a\u0000.ts", "control"],
    ["src/a\n.ts", "control"],
  ])("rejects %j (%s)", (p, why) => {
    const result = checkOutputPath(TOP, p);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(why);
  });

  it("assertOutputPath throws UnsafePathError naming the path and the reason", () => {
    expect(() => assertOutputPath(TOP, "../x")).toThrow(UnsafePathError);
    expect(() => assertOutputPath(TOP, "../x")).toThrow("refusing to write `../x`: path contains `..`");
  });
});

describe("assertNoSymlinkEscape", () => {
  function tree() {
    const root = realpathSync(tempDir("swarm-paths-"));
    const wt = path.join(root, "wt");
    const outside = path.join(root, "outside");
    mkdirSync(path.join(wt, "src", "deep"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(wt, "src", "a.ts"), "a");
    writeFileSync(path.join(outside, "secret.txt"), "s");
    symlinkSync(outside, path.join(wt, "out-dir"));
    symlinkSync(path.join(wt, "src"), path.join(wt, "in-dir"));
    symlinkSync(path.join(outside, "secret.txt"), path.join(wt, "src", "out-file.ts"));
    symlinkSync("a.ts", path.join(wt, "src", "in-file.ts"));
    return wt;
  }

  it.each(["src/a.ts", "src/new.ts", "src/deep/new.ts", "brand/new/dir/file.ts", "top.ts"])("allows %j", async (p) => {
    await expect(assertNoSymlinkEscape(tree(), p)).resolves.toBeUndefined();
  });

  it.each([
    ["out-dir/x.ts", "leads outside"],
    ["out-dir/new/deeper/x.ts", "leads outside"],
    ["in-dir/x.ts", "parent directory is a symlink"],
    ["src/out-file.ts", "is a symlink"],
    ["src/in-file.ts", "is a symlink"],
  ])("refuses %j (%s)", async (p, why) => {
    const attempt = assertNoSymlinkEscape(tree(), p);
    await expect(attempt).rejects.toBeInstanceOf(UnsafePathError);
    await expect(assertNoSymlinkEscape(tree(), p)).rejects.toThrow(why);
  });

  it("works when the worktree path itself goes through a symlink (macOS /tmp)", async () => {
    const wt = tree();
    const alias = path.join(path.dirname(wt), "alias");
    symlinkSync(wt, alias);
    await expect(assertNoSymlinkEscape(alias, "src/a.ts")).resolves.toBeUndefined();
    await expect(assertNoSymlinkEscape(alias, "out-dir/x.ts")).rejects.toThrow("leads outside");
  });
});
