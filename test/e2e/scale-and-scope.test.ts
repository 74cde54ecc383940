import { cp, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, gitRepo } from "../support/git-repo.js";
import { generateGitRepo } from "../support/generate-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { cliEnv, runCli } from "../support/run-cli.js";
import { expectRepoUntouched } from "./safety-support.js";

// Issue 2's scale check (300 files → 900 tasks at concurrency 80, ~20 ms per request) and the folder
// scope: `swarm run packages/api` works on that folder of a repository, as a user pointing at it expects.

interface ReportJson {
  branch: string;
  counts: { total: number; succeeded: number; failed: number };
  tokens: { input: number; cachedInput: number; output: number };
  tasks: { id: string; output: string; status: string; attempts: number }[];
}

const reportOf = async (stdout: string) => JSON.parse(await readFile(/(\S+report\.json)/.exec(stdout)![1]!, "utf8")) as ReportJson;

describe("a generated 300-file repository", () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer({ latencyMs: 20, logMessages: false });
  });
  afterAll(() => server.close());

  it("runs 900 tasks to completion at concurrency 80", async () => {
    const repo = await generateGitRepo({ files: 300, seed: 11, style: "cjs", avgBytes: 1200 });
    const result = await runCli(["run", repo.dir, "-i", "Convert callbacks to async/await", "--base-url", server.url, "--concurrency", "80"], { env: cliEnv() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = await reportOf(result.stdout);
    expect(report.counts).toMatchObject({ total: 900, succeeded: 900, failed: 0 });
    const stats = server.stats();
    expect(report.tokens).toEqual({ input: stats.promptTokens, cachedInput: stats.cachedTokens, output: stats.completionTokens });
    expect(report.tasks.reduce((n, t) => n + t.attempts, 0)).toBe(server.requests.length);
    expect(Math.max(...server.requests.map((r) => r.seq))).toBe(server.requests.length);
    // The server never saw more than 80 requests at once: count overlaps from its own clock.
    const edges = server.requests.flatMap((r) => [
      { t: r.arrivedAt, d: 1 },
      { t: r.finishedAt ?? r.arrivedAt, d: -1 },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let inFlight = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (inFlight += e.d));
    expect(peak).toBeLessThanOrEqual(80);
    const files = (await repo.git("diff", "--name-only", `main..${report.branch}`)).split("\n");
    expect(files).toHaveLength(900);
  }, 120_000);
});

describe("a folder inside a repository", () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer({});
  });
  afterAll(() => server.close());

  async function monorepo() {
    const repo = await gitRepo({ "packages/web/index.js": "module.exports = 1;\n", "README.md": "# mono\n" });
    await mkdir(path.join(repo.dir, "packages", "api"), { recursive: true });
    await cp(path.join(FIXTURES_DIR, "express-api"), path.join(repo.dir, "packages", "api"), { recursive: true });
    await repo.git("add", "-A");
    await repo.git("commit", "--quiet", "-m", "add api");
    return repo;
  }

  it("plans only that folder, with its own test and docs folders", async () => {
    const repo = await monorepo();
    const result = await runCli(["plan", path.join(repo.dir, "packages", "api"), "--json"], { env: cliEnv() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { tasks: { role: string; file: string; output: string }[] };
    expect(plan.tasks.length).toBeGreaterThan(60);
    for (const t of plan.tasks) {
      expect(t.file).toMatch(/^packages\/api\/src\//);
      if (t.role === "test") expect(t.output).toMatch(/^packages\/api\/test\/.*\.test\.js$/);
      if (t.role === "doc") expect(t.output).toBe(`packages/api/docs/api/${t.file.slice("packages/api/".length)}.md`);
    }
  });

  it("estimates that folder and says so", async () => {
    const repo = await monorepo();
    const folder = path.join(repo.dir, "packages", "api");
    const result = await runCli(["estimate", folder, "-i", "Convert callbacks to async/await"], { env: cliEnv({ MOONSHOT_API_KEY: undefined }) });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(new RegExp(`^Estimate for ${folder.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 37 files → 111 tasks`));
  });

  it("runs on that folder and changes nothing outside it", async () => {
    const repo = await monorepo();
    const before = await repo.snapshot();
    const result = await runCli(["run", "packages/api", "-i", "Convert callbacks to async/await", "--base-url", server.url, "--roles", "refactor"], {
      cwd: repo.dir,
      env: cliEnv(),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = await reportOf(result.stdout);
    const changed = (await repo.git("diff", "--name-only", `main..${report.branch}`)).split("\n");
    expect(changed.length).toBeGreaterThan(20);
    for (const file of changed) expect(file).toMatch(/^packages\/api\//);
    expectRepoUntouched(before, await repo.snapshot(), report.branch);
  });

  it("says when every matched file was skipped, and why", async () => {
    const repo = await gitRepo({ "src/empty.js": "", "src/big.js": `module.exports = "${"x".repeat(1_100_000)}";\n` });
    const result = await runCli(["plan", repo.dir], { env: cliEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("swarm: no source files to work on: all 2 file(s) the include globs matched at HEAD were skipped (1 too-large, 1 empty)");
  });

  it("says the include globs matched nothing under the folder", async () => {
    const repo = await gitRepo({ "src/a.js": "module.exports = 1;\n", "notes/readme.md": "hi\n" });
    const result = await runCli(["plan", path.join(repo.dir, "notes")], { env: cliEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^swarm: no source files to work on: .* under notes\//);
  });
});
