// Issue 14, model answers as untrusted input, through the real CLI: an endpoint that echoes the key, plants an
// AWS key, sends a huge, NUL-laden or destructive answer. Each case: the exit code and reason, the user's
// repository byte-identical, and for secrets no trace in any request body, stdout, stderr, the run folder or
// any object in the repository.
import { execFileSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PLANTED_AWS_KEY, startLoopbackServer, type LoopbackOptions } from "../support/loopback-server.js";
import { expectRepoUntouched, expectUsageFailure, hashEverything, RECOGNISABLE_KEY, reportPathOf, swarm, useSafetyFixture } from "./safety-support.js";

const lines = (n: number, name: string) => Array.from({ length: n }, (_, i) => `export const ${name}${i} = ${i};`).join("\n") + "\n";
const TREE = { "src/alpha.ts": lines(10, "alpha"), "src/beta.ts": lines(6, "beta") };

// Read live by the server: each test picks its misbehaviour. 4 KB chunks paced at 1 ms let a cut-off stream show.
const server: LoopbackOptions = { hugeBytes: 2 * 1024 * 1024, chunkTokens: 1024, tokensPerSecond: 1_000_000 };
const fx = useSafetyFixture({ repo: TREE, server });

/** Every file under `dir`, as one string. */
async function allText(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(path.join(entry.parentPath, entry.name), "latin1"));
  }
  return parts.join("\n");
}

/** Every object in the repository (any branch, dangling ones too), decompressed. */
const allObjects = (repo: string) => execFileSync("git", ["cat-file", "--batch-all-objects", "--batch"], { cwd: repo, maxBuffer: 1 << 28 }).toString("latin1");

async function runWith(misbehave: LoopbackOptions["misbehave"], branch: string, config: Record<string, unknown> = {}) {
  server.misbehave = misbehave;
  const configPath = path.join(fx.scratch, `${branch.replace(/\W/g, "-")}.json`);
  await writeFile(configPath, JSON.stringify({ retry: { attempts: 2, baseMs: 0, maxMs: 0 }, validate: { enabled: false }, ...config }));
  const before = await fx.repo.snapshot();
  const result = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--roles", "refactor", "-c", configPath, "--base-url", fx.server.url, "--branch", branch]);
  const after = await fx.repo.snapshot();
  const branchMade = after.refs.includes(`refs/heads/${branch}`);
  expectRepoUntouched(before, after, branchMade ? branch : undefined);
  const reportPath = reportPathOf(result.stdout);
  const report = reportPath ? (JSON.parse(await readFile(reportPath, "utf8")) as { tasks: { id: string; status: string; error?: { code: string; message: string } }[] }) : undefined;
  return { result, report, branchMade, runDir: reportPath ? path.dirname(reportPath) : undefined };
}

async function expectNowhere(secret: string, run: Awaited<ReturnType<typeof runWith>>) {
  expect(JSON.stringify(fx.server.requests.map((r) => r.messages)), "request bodies").not.toContain(secret);
  expect(run.result.stdout + run.result.stderr, "output").not.toContain(secret);
  expect(await allText(run.runDir!), "run folder").not.toContain(secret);
  expect(allObjects(fx.repo.dir), "git objects").not.toContain(secret);
}

function expectRejected(run: Awaited<ReturnType<typeof runWith>>, reason: string | RegExp) {
  expect(run.result.code, run.result.stderr).toBe(1);
  expect(run.result.stderr).not.toMatch(/\n\s+at /);
  expect(run.report!.tasks.map((t) => t.status)).toEqual(["failed", "failed"]);
  for (const task of run.report!.tasks) {
    expect(task.error?.code).toBe("unsafe-answer");
    if (typeof reason === "string") expect(task.error?.message).toBe(reason);
    else expect(task.error?.message).toMatch(reason);
  }
  // No task succeeded: no branch, and the report says why.
  expect(run.branchMade).toBe(false);
  expect(run.result.stdout).toContain("branch: none");
  // Each rejected answer was retried once (attempts: 2), then the task failed.
  expect(fx.server.requests).toHaveLength(4);
}

describe("answers that would leak a secret are never journaled, written or sent", () => {
  it("an answer echoing the API key fails its task with the key nowhere", async () => {
    const run = await runWith("echo-key", "swarm/echo-key");
    expect(fx.server.requests.some((r) => r.content?.includes(RECOGNISABLE_KEY)), "the server did echo it").toBe(true);
    expectRejected(run, "answer contains a secret (api-key)");
    await expectNowhere(RECOGNISABLE_KEY, run);
    expect(await readFile(path.join(run.runDir!, "report.md"), "utf8")).toContain("no branch written (no task succeeded)");
  });

  it("an answer planting an AWS key fails its task with the key nowhere", async () => {
    const run = await runWith("fake-aws-key", "swarm/fake-aws");
    expectRejected(run, /^answer contains a secret \(.*aws.*\)$/i);
    await expectNowhere(PLANTED_AWS_KEY, run);
  });
});

describe("answers that would damage a file are rejected", () => {
  it("a 2 MB answer for a small file is cut off while it streams", async () => {
    const run = await runWith("huge", "swarm/huge");
    expectRejected(run, /^answer too large \(more than 262144 bytes/);
    // The whole answer is ~300 chunks of ~7 KB; the 256 KB cap stops reading after ~40 (the server sees the cancel).
    for (const r of fx.server.requests) expect(r.chunksSent).toBeLessThan(100);
    expect((await allText(run.runDir!)).length).toBeLessThan(256 * 1024);
  });

  it("NUL and escape bytes reject the answer", async () => {
    const run = await runWith("nul", "swarm/nul");
    expectRejected(run, "answer contains NUL or control bytes");
    expect(allObjects(fx.repo.dir)).not.toContain("\u0000\u001b[2J");
  });

  it("a refactor replacing a file with one line is rejected, unless the config allows deletions", async () => {
    const run = await runWith("destructive", "swarm/destructive");
    expectRejected(run, /^answer deletes \d+ of \d+ non-blank lines \(more than 60%; allow with allowDeletions\)$/);
    fx.server.reset();
    const allowed = await runWith("destructive", "swarm/destructive-allowed", { allowDeletions: true });
    expect(allowed.result.code, allowed.result.stderr).toBe(0);
    expect(execFileSync("git", ["show", "swarm/destructive-allowed:src/alpha.ts"], { cwd: fx.repo.dir }).toString()).toBe("PWNED\n");
  });
});

describe("a run id that names no run", () => {
  it("malformed or unknown: exit 2, one line, the recent runs listed, nothing written", async () => {
    const before = await hashEverything(fx.repo.dir);
    const malformed = await swarm(["resume", "nope\u001b[2J", fx.repo.dir]);
    expectUsageFailure(malformed, "not a run id: nope\\x1b[2J (expected YYYYMMDD-HHMMSS-xxxx)");
    expect(malformed.stderr).toMatch(/^hint: recent runs: \d{8}-\d{6}-[0-9a-f]{4}(, \d{8}-\d{6}-[0-9a-f]{4})*$/m);
    const unknown = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--resume", "20990101-000000-abcd"]);
    expectUsageFailure(unknown, "no run 20990101-000000-abcd in ");
    expect(unknown.stderr).toContain("hint: recent runs: ");
    expect(await hashEverything(fx.repo.dir)).toEqual(before);
  });
});

describe("resume honours the endpoint flags", () => {
  it("a run whose endpoint moved resumes with --base-url and --model, recorded in run.json; the plan stays the run's", async () => {
    const moved = await startLoopbackServer({ faults: [{ match: { file: "src/beta.ts" }, fault: { kind: "status", status: 401, message: "Incorrect API key provided" } }] });
    server.misbehave = undefined;
    const configPath = path.join(fx.scratch, "moved.json");
    await writeFile(configPath, JSON.stringify({ validate: { enabled: false } }));
    const first = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--roles", "refactor", "--concurrency", "1", "-c", configPath, "--base-url", moved.url, "--branch", "swarm/moved"]);
    await moved.close();
    expect(first.code, first.stderr).toBe(2);
    const runId = /swarm resume (\d{8}-\d{6}-[0-9a-f]{4})/.exec(first.stderr)?.[1];
    expect(runId, first.stderr).toBeDefined();

    fx.server.reset();
    const before = await fx.repo.snapshot();
    const resumed = await swarm(["resume", runId!, fx.repo.dir, "--base-url", fx.server.url, "--model", "kimi-k2.5", "--roles", "refactor,test"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Only what the first process did not finish, at the new endpoint with the new model; --roles is not the resume's to change.
    expect(fx.server.requests.map((r) => [r.role, r.file, r.model])).toEqual([["refactor", "src/beta.ts", "kimi-k2.5"]]);
    expectRepoUntouched({ ...before, refs: before.refs.split("\n").filter((l) => !l.endsWith("refs/heads/swarm/moved")).join("\n") }, await fx.repo.snapshot(), "swarm/moved");
    const meta = JSON.parse(await readFile(path.join(fx.repo.dir, ".swarm", "runs", runId!, "run.json"), "utf8")) as { options: { overrides: { baseURL: string } }; resumes: unknown[] };
    expect(meta.options.overrides.baseURL).toBe(moved.url);
    expect(meta.resumes).toEqual([{ at: expect.any(String), overrides: { baseURL: fx.server.url, model: "kimi-k2.5" } }]);
  });
});

describe("a run killed between its branch and its report", () => {
  it("is resumed by adopting the branch it recorded, not refused with \"branch already exists\"", async () => {
    server.misbehave = undefined;
    fx.server.reset();
    const configPath = path.join(fx.scratch, "adopt.json");
    await writeFile(configPath, JSON.stringify({ validate: { enabled: false } }));
    const first = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--roles", "refactor", "-c", configPath, "--base-url", fx.server.url, "--branch", "swarm/adopt"]);
    expect(first.code, first.stderr).toBe(0);
    const reportPath = reportPathOf(first.stdout)!;
    const runId = path.basename(path.dirname(reportPath));
    const tip = execFileSync("git", ["rev-parse", "swarm/adopt"], { cwd: fx.repo.dir }).toString().trim();
    // The window: the branch exists, the report does not.
    await rm(reportPath);
    await rm(reportPath.replace(/\.json$/, ".md"), { force: true });

    fx.server.reset();
    const resumed = await swarm(["resume", runId, fx.repo.dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fx.server.requests, "every answer was journaled: nothing is asked again").toHaveLength(0);
    expect(execFileSync("git", ["rev-parse", "swarm/adopt^{tree}"], { cwd: fx.repo.dir }).toString()).toBe(execFileSync("git", ["rev-parse", `${tip}^{tree}`], { cwd: fx.repo.dir }).toString());
    expect(JSON.parse(await readFile(reportPath, "utf8"))).toMatchObject({ branch: "swarm/adopt" });
  });

  it("a branch someone else moved is still refused", async () => {
    const runs = path.join(fx.repo.dir, ".swarm", "runs");
    const runId = (await readdir(runs)).sort().at(-1)!;
    await rm(path.join(runs, runId, "report.json"));
    execFileSync("git", ["branch", "-f", "swarm/adopt", "main"], { cwd: fx.repo.dir });
    const resumed = await swarm(["resume", runId, fx.repo.dir]);
    expectUsageFailure(resumed, /branch .*swarm\/adopt.* already exists/);
  });
});
