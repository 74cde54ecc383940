// Issue 7, repository states, through the real CLI: each bad state is one clear line, exit 2, no request
// and not one byte written; the usable odd states (detached HEAD, uncommitted changes, submodules) work
// from HEAD and leave the user's repository as it was. Module-level cases: test/integration/git/repo-state.test.ts.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gitRepo, runGit } from "../support/git-repo.js";
import { REFACTOR_MARKER, startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { expectRepoUntouched, expectUsageFailure, hashEverything, reportPathOf, swarm } from "./safety-support.js";

let server: LoopbackServer;
let scratch: string;
beforeAll(async () => {
  server = await startLoopbackServer();
  scratch = await mkdtemp(path.join(tmpdir(), "swarm-safety-repo-"));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const SOURCE = "export function add(a, b) {\n  return a + b;\n}\n";
const run = (repo: string, ...extra: string[]) => swarm(["run", repo, "-i", "Tidy up", "--base-url", server.url, ...extra]);

function expectNoRequest(): void {
  expect(server.requests).toHaveLength(0);
  expect(server.stats().modelRequests).toBe(0);
}

describe("a repository swarm cannot work on: exit 2, one line, no request, nothing written", () => {
  it("a path that does not exist", async () => {
    const missing = path.join(scratch, "no-such-dir");
    const before = await hashEverything(scratch);
    const result = await run(missing);
    expectUsageFailure(result, `repository path does not exist: ${missing}`);
    expect(await hashEverything(scratch)).toEqual(before);
    expectNoRequest();
  });

  it("a folder that is not a git repository", async () => {
    const dir = path.join(scratch, "plain");
    await mkdir(dir);
    await writeFile(path.join(dir, "a.js"), SOURCE);
    const before = await hashEverything(dir);
    const result = await run(dir);
    expectUsageFailure(result, `not a git repository: ${dir}`);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(await hashEverything(dir)).toEqual(before);
    expectNoRequest();
  });

  it("a repository with no commits", async () => {
    const dir = path.join(scratch, "unborn");
    await mkdir(dir);
    await writeFile(path.join(dir, "a.js"), SOURCE);
    await runGit(dir, ["init", "--quiet", "--initial-branch=main"]);
    await runGit(dir, ["add", "a.js"]);
    const before = await hashEverything(dir);
    const result = await run(dir);
    expectUsageFailure(result, `repository has no commits yet: ${dir}`);
    expect(await hashEverything(dir)).toEqual(before);
    expectNoRequest();
  });

  it("a bare repository", async () => {
    const source = await gitRepo({ "a.js": SOURCE }, { autoCleanup: true });
    const bare = path.join(scratch, "bare.git");
    await runGit(scratch, ["clone", "--quiet", "--bare", source.dir, bare]);
    const before = await hashEverything(bare);
    const result = await run(bare);
    expectUsageFailure(result, `${bare} is a bare repository; swarm needs a working tree`);
    expect(await hashEverything(bare)).toEqual(before);
    expectNoRequest();
  });

  it("--branch names a branch that exists: error before any request", async () => {
    const repo = await gitRepo({ "a.js": SOURCE }, { autoCleanup: true });
    await repo.git("branch", "swarm/taken");
    const before = await repo.snapshot();
    const bytes = await hashEverything(repo.dir);
    const result = await run(repo.dir, "--branch", "swarm/taken");
    expectUsageFailure(result, "branch `swarm/taken` already exists");
    expect(result.stderr).toContain("hint: pick another name with --branch <name>");
    expect(await hashEverything(repo.dir)).toEqual(bytes);
    expectRepoUntouched(before, await repo.snapshot());
    expectNoRequest();
  });

  it("the default swarm/<run-id> cannot be created (a branch `swarm` exists): error before any request", async () => {
    const repo = await gitRepo({ "a.js": SOURCE }, { autoCleanup: true });
    await repo.git("branch", "swarm");
    const bytes = await hashEverything(repo.dir);
    const result = await run(repo.dir);
    expectUsageFailure(result, /^swarm: branch `swarm\/[\w-]+` cannot be created: it clashes with existing branch `swarm`$/);
    expect(await hashEverything(repo.dir)).toEqual(bytes);
    expectNoRequest();
  });

  it("--branch that git would refuse", async () => {
    const repo = await gitRepo({ "a.js": SOURCE }, { autoCleanup: true });
    const bytes = await hashEverything(repo.dir);
    const result = await run(repo.dir, "--branch", "bad..name");
    expectUsageFailure(result, "--branch: `bad..name` is not a valid git branch name");
    expect(await hashEverything(repo.dir)).toEqual(bytes);
    expectNoRequest();
  });
});

describe("odd but usable repositories: the run works from HEAD and leaves the user's state alone", () => {
  it("a detached HEAD: the branch starts at that commit and HEAD stays detached", async () => {
    const repo = await gitRepo({ "a.js": SOURCE }, { autoCleanup: true });
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
    const repo = await gitRepo({ "a.js": SOURCE, "b.js": SOURCE }, { autoCleanup: true });
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
    const sent = server.requests.map((r) => r.messages.map((m) => String(m.content)).join("\n")).join("\n");
    expect(sent).not.toContain("work in progress");
    expect(sent).not.toContain("fresh");
    expect(server.requests.map((r) => r.file).sort()).toEqual(["a.js", "b.js"]);
    for (const file of ["a.js", "b.js"]) expect(await repo.git("show", `swarm/dirty:${file}`)).toBe(`${REFACTOR_MARKER}\n${SOURCE.trimEnd()}`);
    expect(await repo.git("ls-tree", "--name-only", "swarm/dirty")).toBe("a.js\nb.js");
    // The plan lists the untracked file as skipped, so the user sees it was left out.
    const report = JSON.parse(await readFile(reportPathOf(result.stdout)!, "utf8")) as { tasks: { file: string }[] };
    expect(report.tasks.map((t) => t.file).sort()).toEqual(["a.js", "b.js"]);
  });

  it("a submodule: none of its files are scanned or sent, and the branch keeps the gitlink as it was", async () => {
    const lib = await gitRepo({ "index.js": "export const fromSubmodule = 1;\n", "util.ts": "export const alsoSubmodule = 2;\n" }, { autoCleanup: true });
    const repo = await gitRepo({ "a.js": SOURCE }, { autoCleanup: true });
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
    const config = path.join(scratch, "include-libs.json");
    await writeFile(config, JSON.stringify({ include: ["**/*.js", "libs/**", "libs/shared"] }));
    const wide = await swarm(["plan", repo.dir, "--json", "-c", config]);
    expect(wide.code, wide.stderr).toBe(0);
    const widePlan = JSON.parse(wide.stdout) as typeof planJson;
    expect(widePlan.files.map((f) => f.path)).toEqual(["a.js"]);
    expect(widePlan.skips).toContainEqual(expect.objectContaining({ path: "libs/shared", reason: "submodule" }));

    const result = await run(repo.dir, "--branch", "swarm/with-sub");
    expect(result.code, result.stderr).toBe(0);
    expect(new Set(server.requests.map((r) => r.file))).toEqual(new Set(["a.js"]));
    const sent = server.requests.map((r) => r.messages.map((m) => String(m.content)).join("\n")).join("\n");
    expect(sent).not.toContain("fromSubmodule");
    expectRepoUntouched(before, await repo.snapshot(), "swarm/with-sub");
    expect(await repo.git("ls-tree", "swarm/with-sub", "libs/shared")).toBe(await repo.git("ls-tree", "HEAD", "libs/shared"));
    expect(sent).not.toContain("alsoSubmodule");
  });
});
