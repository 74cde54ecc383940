// Issue 7, large and odd repositories, through the real CLI: oversized, empty, binary and non-UTF-8 files
// are skipped with a reason and never sent; a repository where nothing is left to work on is exit 2 with
// a message that says why. (10,000 files: see bench/, the figure is in the issue-7 report.)
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gitRepo } from "../support/git-repo.js";
import { expectRepoUntouched, expectUsageFailure, hashEverything, swarm, useSafetyFixture } from "./safety-support.js";

const fx = useSafetyFixture();

interface PlanJson {
  files: { path: string }[];
  skips: { path: string; reason: string; detail: string }[];
}

describe("files the run leaves out, each with its reason", () => {
  it("too large, empty, only a BOM, binary and non-UTF-8 files are skipped and never sent", async () => {
    const repo = await gitRepo(
      {
        "src/ok.js": "export const ok = 1;\n",
        "src/huge.js": `export const big = "${"x".repeat(5000)}";\n`,
        "src/empty.js": "",
        "src/bom-only.js": "\ufeff",
        "src/binary.js": Buffer.from([0x65, 0x78, 0x00, 0x01, 0x02, 0x0a]),
        "src/latin1.js": Buffer.from("export const caf\xe9 = 1;\n", "latin1"),
      },
    );
    const config = path.join(fx.scratch, "limits.json");
    await writeFile(config, JSON.stringify({ maxFileBytes: 1000, maxEditFileBytes: 2000, roles: ["refactor"] }));
    const before = await repo.snapshot();

    const plan = await swarm(["plan", repo.dir, "-c", config, "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const { files, skips } = JSON.parse(plan.stdout) as PlanJson;
    expect(files.map((f) => f.path)).toEqual(["src/ok.js"]);
    expect(skips).toEqual([
      { path: "src/binary.js", reason: "binary", detail: "a binary file (NUL byte)" },
      { path: "src/bom-only.js", reason: "empty", detail: "only a byte-order mark" },
      { path: "src/empty.js", reason: "empty", detail: "an empty file" },
      { path: "src/huge.js", reason: "too-large", detail: "5023 bytes, over maxEditFileBytes (2000)" },
      { path: "src/latin1.js", reason: "not-utf8", detail: "not valid UTF-8 text" },
    ]);

    fx.server.reset();
    const run = await swarm(["run", repo.dir, "-c", config, "-i", "Tidy", "--base-url", fx.server.url, "--branch", "swarm/odd"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fx.server.requests.map((r) => r.file)).toEqual(["src/ok.js"]);
    expect(await repo.git("diff", "--name-only", "HEAD", "swarm/odd")).toBe("src/ok.js");
    expectRepoUntouched(before, await repo.snapshot(), "swarm/odd");
  });
});

describe("nothing to work on: exit 2, says why, writes nothing", () => {
  it("the include globs match nothing at HEAD", async () => {
    const repo = await gitRepo({ "README.md": "# hi\n", "main.py": "print(1)\n" });
    const bytes = await hashEverything(repo.dir);
    fx.server.reset();
    const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", fx.server.url]);
    expectUsageFailure(result, 'no source files to work on: the include globs ["**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}"] matched nothing at HEAD');
    expect(fx.server.requests).toHaveLength(0);
    expect(fx.server.stats().modelRequests).toBe(0);
    expect(await hashEverything(repo.dir)).toEqual(bytes);
  });

  it("every matching file is skipped: the message counts the skips", async () => {
    const repo = await gitRepo({ "src/empty.js": "", "src/also-empty.ts": "" });
    const bytes = await hashEverything(repo.dir);
    const result = await swarm(["plan", repo.dir]);
    expectUsageFailure(result, /^swarm: no source files to work on: all 2 file\(s\) the include globs matched at HEAD were skipped \(2 empty\)$/);
    expect(await hashEverything(repo.dir)).toEqual(bytes);
  });
});
