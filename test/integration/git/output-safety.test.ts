import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findUnsafeOutputs, unsafeOutputs } from "../../../src/git/output-safety.js";
import { gitSync as git, makeRepo, tempDir } from "../../support/git-repo.js";

describe("unsafeOutputs (pure)", () => {
  const tree = [
    { path: "a.js", mode: "100644" },
    { path: "a.test.js", mode: "120000" },
    { path: "docs", mode: "120000" },
    { path: "vendor/lib", mode: "160000" },
    { path: "bin/tool", mode: "100755" },
  ];

  it.each([
    ["a.js", undefined],
    ["src/new.test.js", undefined],
    ["docs.md", undefined],
    ["a.test.js", "it is a symbolic link at HEAD; a task writes regular files only"],
    ["docs/a.js.md", "its folder `docs` is a symbolic link at HEAD"],
    ["vendor/lib/index.test.js", "its folder `vendor/lib` is a submodule at HEAD"],
    ["vendor/lib", "it is a submodule at HEAD; a task writes regular files only"],
    ["bin/tool/x.md", "its folder `bin/tool` is a file at HEAD"],
    ["../x.js", "path contains `..`"],
    ["/etc/passwd", "path is absolute"],
    [".git/hooks/pre-commit", "path points into a .git directory"],
    [".swarm/runs/x/plan.json", "path points into the .swarm/ run directory"],
  ])("%j → %s", (output, reason) => {
    expect(unsafeOutputs(tree, [output]).get(output)).toBe(reason);
  });
});

describe("findUnsafeOutputs against a real HEAD", () => {
  it("finds committed symlinks (to outside and inside) and leaves plain paths alone", async () => {
    const outside = tempDir("swarm-outside-");
    const repo = makeRepo({ "a.js": "a\n", "src/b.js": "b\n" });
    symlinkSync(path.join(outside, "victim.js"), path.join(repo, "a.test.js"));
    symlinkSync(outside, path.join(repo, "docs"));
    mkdirSync(path.join(repo, "lib"));
    symlinkSync("../src", path.join(repo, "lib", "src"));
    writeFileSync(path.join(outside, "victim.js"), "v\n");
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "--quiet", "-m", "links"]);
    const unsafe = await findUnsafeOutputs(repo, ["a.js", "a.test.js", "docs/a.js.md", "lib/src/b.test.js", "src/b.test.js"]);
    expect([...unsafe.keys()].sort()).toEqual(["a.test.js", "docs/a.js.md", "lib/src/b.test.js"]);
    expect(await findUnsafeOutputs(repo, [])).toEqual(new Map());
  });
});
