// Issue 7, repository states that must fail, through the real CLI: each is one clear line, exit 2, no
// request and not one byte written (.git included). The usable odd states (detached HEAD, uncommitted
// changes, submodules) are in safety-repo-usable.test.ts; module-level cases in test/integration/git/repo-state.test.ts.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gitRepo, runGit } from "../support/git-repo.js";
import { expectRepoUntouched, expectUsageFailure, hashEverything, swarm, useSafetyFixture } from "./safety-support.js";

const fx = useSafetyFixture();

const SOURCE = "export function add(a, b) {\n  return a + b;\n}\n";
const run = (repo: string, ...extra: string[]) => swarm(["run", repo, "-i", "Tidy up", "--base-url", fx.server.url, ...extra]);

function expectNoRequest(): void {
  expect(fx.server.requests).toHaveLength(0);
  expect(fx.server.stats().modelRequests).toBe(0);
}

describe("a repository swarm cannot work on: exit 2, one line, no request, nothing written", () => {
  it("a path that does not exist", async () => {
    const missing = path.join(fx.scratch, "no-such-dir");
    const before = await hashEverything(fx.scratch);
    const result = await run(missing);
    expectUsageFailure(result, `repository path does not exist: ${missing}`);
    expect(await hashEverything(fx.scratch)).toEqual(before);
    expectNoRequest();
  });

  it("a folder that is not a git repository", async () => {
    const dir = path.join(fx.scratch, "plain");
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
    const dir = path.join(fx.scratch, "unborn");
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
    const source = await gitRepo({ "a.js": SOURCE });
    const bare = path.join(fx.scratch, "bare.git");
    await runGit(fx.scratch, ["clone", "--quiet", "--bare", source.dir, bare]);
    const before = await hashEverything(bare);
    const result = await run(bare);
    expectUsageFailure(result, `${bare} is a bare repository; swarm needs a working tree`);
    expect(await hashEverything(bare)).toEqual(before);
    expectNoRequest();
  });

  it("--branch names a branch that exists: error before any request", async () => {
    const repo = await gitRepo({ "a.js": SOURCE });
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
    const repo = await gitRepo({ "a.js": SOURCE });
    await repo.git("branch", "swarm");
    const bytes = await hashEverything(repo.dir);
    const result = await run(repo.dir);
    expectUsageFailure(result, /^swarm: branch `swarm\/[\w-]+` cannot be created: it clashes with existing branch `swarm`$/);
    expect(await hashEverything(repo.dir)).toEqual(bytes);
    expectNoRequest();
  });

  it("--branch that git would refuse", async () => {
    const repo = await gitRepo({ "a.js": SOURCE });
    const bytes = await hashEverything(repo.dir);
    const result = await run(repo.dir, "--branch", "bad..name");
    expectUsageFailure(result, "--branch: `bad..name` is not a valid git branch name");
    expect(await hashEverything(repo.dir)).toEqual(bytes);
    expectNoRequest();
  });
});
