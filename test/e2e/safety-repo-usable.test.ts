// Issue 7, repository states that are odd but usable, through the real CLI: a detached HEAD, uncommitted
// changes and submodules. The run works from HEAD and leaves the user's repository as it was.
// (Split from safety-repo.test.ts, which has the states that must fail.)
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gitRepo } from "../support/git-repo.js";
import { REFACTOR_MARKER } from "../support/loopback-server.js";
import { expectRepoUntouched, reportPathOf, swarm, useSafetyFixture } from "./safety-support.js";

const fx = useSafetyFixture();

const SOURCE = "export function add(a, b) {\n  return a + b;\n}\n";
const run = (repo: string, ...extra: string[]) => swarm(["run", repo, "-i", "Tidy", "--base-url", fx.server.url, ...extra]);

describe("odd but usable repositories: the run works from HEAD and leaves the user's state alone", () => {
  it("a detached HEAD: the branch starts at that commit and HEAD stays detached", async () => {
    const repo = await gitRepo({ "a.js": SOURCE });
    await repo.git("checkout", "--quiet", "--detach");
    const before = await repo.snapshot();
    const result = await run(repo.dir, "--branch", "swarm/from-detached", "--roles", "refactor");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const after = await repo.snapshot();
    expectRepoUntouched(before, after, "swarm/from-detached");
    expect(after.branch).toBe("(detached)");
    expect(await repo.git("rev-parse", "swarm/from-detached~1")).toBe(before.head);
    expect(await repo.git("show", "swarm/from-detached:a.js")).toBe(`${REFACTOR_MARKER}\n${SOURCE.trimEnd()}`);
  });

  it("uncommitted changes: warns that they are not included, sends and branches from HEAD's content", async () => {
    const repo = await gitRepo({ "a.js": SOURCE, "b.js": SOURCE });
    const dirty = `${SOURCE}// work in progress\n`;
    await writeFile(path.join(repo.dir, "a.js"), dirty);
    await writeFile(path.join(repo.dir, "b.js"), dirty);
    await repo.git("add", "b.js");
    await writeFile(path.join(repo.dir, "new.js"), "export const fresh = 1;\n");
    const before = await repo.snapshot();
    const result = await run(repo.dir, "--branch", "swarm/dirty", "--roles", "refactor");
    expect(result.code, result.stderr).toBe(0);
    // The plain reporter prints warnings with the run's lines on stdout.
    expect(result.stdout).toMatch(/^warning: 2 uncommitted changes are not part of this run \(it works from HEAD [0-9a-f]{7}\)$/m);
    expectRepoUntouched(before, await repo.snapshot(), "swarm/dirty");
    const sent = fx.server.requests.map((r) => r.messages.map((m) => String(m.content)).join("\n")).join("\n");
    expect(sent).not.toContain("work in progress");
    expect(sent).not.toContain("fresh");
    expect(fx.server.requests.map((r) => r.file).sort()).toEqual(["a.js", "b.js"]);
    for (const file of ["a.js", "b.js"]) expect(await repo.git("show", `swarm/dirty:${file}`)).toBe(`${REFACTOR_MARKER}\n${SOURCE.trimEnd()}`);
    expect(await repo.git("ls-tree", "--name-only", "swarm/dirty")).toBe("a.js\nb.js");
    // The plan lists the untracked file as skipped, so the user sees it was left out.
    const report = JSON.parse(await readFile(reportPathOf(result.stdout)!, "utf8")) as { tasks: { file: string }[] };
    expect(report.tasks.map((t) => t.file).sort()).toEqual(["a.js", "b.js"]);
  });

  it("a submodule: none of its files are scanned or sent, and the branch keeps the gitlink as it was", async () => {
    const lib = await gitRepo({ "index.js": "export const fromSubmodule = 1;\n", "util.ts": "export const alsoSubmodule = 2;\n" });
    const repo = await gitRepo({ "a.js": SOURCE });
    // Not under vendor/ (excluded by default anyway): the point is that the scan does not descend into it.
    await repo.git("-c", "protocol.file.allow=always", "submodule", "--quiet", "add", lib.dir, "libs/shared");
    await repo.git("commit", "--quiet", "--no-verify", "-m", "add submodule");
    const before = await repo.snapshot();

    const plan = await swarm(["plan", repo.dir, "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const planJson = JSON.parse(plan.stdout) as { files: { path: string }[]; skips: { path: string; reason: string }[] };
    expect(planJson.files.map((f) => f.path)).toEqual(["a.js"]);
    expect(planJson.skips.filter((s) => s.path.startsWith("libs/shared/"))).toEqual([]);
    // A glob that names the submodule's folder lists the gitlink as skipped, with the reason.
    const config = path.join(fx.scratch, "include-libs.json");
    await writeFile(config, JSON.stringify({ include: ["**/*.js", "libs/**", "libs/shared"] }));
    const wide = await swarm(["plan", repo.dir, "--json", "-c", config]);
    expect(wide.code, wide.stderr).toBe(0);
    const widePlan = JSON.parse(wide.stdout) as typeof planJson;
    expect(widePlan.files.map((f) => f.path)).toEqual(["a.js"]);
    expect(widePlan.skips).toContainEqual(expect.objectContaining({ path: "libs/shared", reason: "submodule" }));

    const result = await run(repo.dir, "--branch", "swarm/with-sub");
    expect(result.code, result.stderr).toBe(0);
    expect(new Set(fx.server.requests.map((r) => r.file))).toEqual(new Set(["a.js"]));
    const sent = fx.server.requests.map((r) => r.messages.map((m) => String(m.content)).join("\n")).join("\n");
    expect(sent).not.toContain("fromSubmodule");
    expectRepoUntouched(before, await repo.snapshot(), "swarm/with-sub");
    expect(await repo.git("ls-tree", "swarm/with-sub", "libs/shared")).toBe(await repo.git("ls-tree", "HEAD", "libs/shared"));
    expect(sent).not.toContain("alsoSubmodule");
  });
});
