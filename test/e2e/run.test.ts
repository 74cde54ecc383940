import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { cliEnv, FAKE_KEY, runCli } from "../support/run-cli.js";
import { expectRepoUntouched } from "./safety-support.js";

// The end-to-end path of issue 2: the real binary, the real openai SDK over HTTP, real git.

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer({
    faults: [{ match: { role: "refactor", file: "src/utils/ids.js" }, fault: { kind: "status", status: 400, message: "refused on purpose" } }],
  });
});
afterAll(() => server.close());

interface ReportJson {
  runId: string;
  branch: string;
  counts: { total: number; succeeded: number; failed: number; byRole: Record<string, { total: number; succeeded: number; failed: number }> };
  tokens: { input: number; cachedInput: number; output: number };
  costUSD: number;
  tasks: { id: string; role: string; file: string; output: string; status: string; attempts: number; inputTokens: number; outputTokens: number; error: { code: string; message: string } | null }[];
}

async function runOn(repo: TempRepo, extra: string[] = []) {
  server.reset();
  const before = await repo.snapshot();
  const result = await runCli(["run", repo.dir, "-i", "Convert callbacks to async/await", "--base-url", server.url, ...extra], { env: cliEnv() });
  const reportPath = /report\.json/.test(result.stdout) ? result.stdout.match(/(\S+report\.json)/)![1]! : "";
  const report = reportPath ? (JSON.parse(await readFile(reportPath, "utf8")) as ReportJson) : undefined;
  return { result, before, after: await repo.snapshot(), report, reportPath };
}

/** The last answer the server gave for a (role, file), i.e. what the branch must hold. */
function answerFor(role: string, file: string): string | undefined {
  const answered = server.requests.filter((r) => r.role === role && r.file === file && r.status === 200 && r.answer !== undefined);
  return answered.at(-1)?.answer;
}

describe("swarm run on express-api", () => {
  let repo: TempRepo;
  let run: Awaited<ReturnType<typeof runOn>>;
  beforeAll(async () => {
    repo = await gitRepo("express-api");
    run = await runOn(repo);
  });
  afterAll(() => repo.cleanup());

  it("exits 1 because one task failed, and says where the report is", () => {
    expect(run.result.stderr).toBe("");
    expect(run.result.code).toBe(1);
    expect(run.reportPath).toContain(path.join(".swarm", "runs"));
    expect(run.result.stdout).toMatch(/report\.md/);
  });

  it("leaves the user's working tree, index, refs and branch as they were (plus the new branch)", () => {
    const { before, after, report } = run;
    expectRepoUntouched(before, after, report!.branch);
  });

  it("writes one commit per role on the branch", async () => {
    const subjects = (await repo.git("log", "--format=%s", `main..${run.report!.branch}`)).split("\n").reverse();
    expect(subjects).toEqual([
      "swarm(refactor): Convert callbacks to async/await",
      "swarm(test): Convert callbacks to async/await",
      "swarm(doc): Convert callbacks to async/await",
    ]);
  });

  it("puts exactly what the server answered in every succeeded task's output", async () => {
    const succeeded = run.report!.tasks.filter((t) => t.status === "succeeded");
    expect(succeeded.length).toBeGreaterThan(80);
    for (const t of succeeded) {
      const onBranch = await repo.git("show", `${run.report!.branch}:${t.output}`);
      // git() trims the final newline; answers end with one.
      expect(onBranch + "\n", t.id).toBe(answerFor(t.role, t.file));
    }
  });

  it("leaves a failed task's file unchanged and lists it with its error; its test and doc do not run", async () => {
    const failed = run.report!.tasks.filter((t) => t.status !== "succeeded");
    expect(failed.map((t) => t.id).sort()).toEqual(["doc:src/utils/ids.js", "refactor:src/utils/ids.js", "test:src/utils/ids.js"]);
    const refactor = failed.find((t) => t.role === "refactor")!;
    expect(refactor.error).toEqual({ code: "bad-request", message: "HTTP 400: refused on purpose" });
    expect(refactor.attempts).toBe(1);
    expect(failed.find((t) => t.role === "test")!.error!.code).toBe("dependency-failed");
    const original = await readFile(path.join(repo.dir, "src/utils/ids.js"), "utf8");
    expect((await repo.git("show", `${run.report!.branch}:src/utils/ids.js`)) + "\n").toBe(original);
  });

  it("counts tokens exactly as the server billed them", () => {
    const stats = server.stats();
    const { report } = run;
    expect(report!.tokens).toEqual({ input: stats.promptTokens, cachedInput: stats.cachedTokens, output: stats.completionTokens });
    expect(report!.tokens.cachedInput).toBeGreaterThan(0);
    expect(report!.counts.total).toBe(report!.tasks.length);
    expect(report!.counts.succeeded + report!.counts.failed).toBe(report!.counts.total);
    const chatRequests = server.requests.length;
    expect(report!.tasks.reduce((n, t) => n + t.attempts, 0)).toBe(chatRequests);
  });

  it("keeps the run directory out of git", async () => {
    const exclude = await readFile(path.join(repo.dir, ".git", "info", "exclude"), "utf8");
    expect(exclude).toMatch(/^\/\.swarm\/$/m);
    expect(await repo.git("status", "--porcelain")).toBe("");
  });

  it("never prints or stores the API key", async () => {
    expect(run.result.stdout + run.result.stderr).not.toContain(FAKE_KEY);
    const runDir = path.dirname(run.reportPath);
    for (const name of ["plan.json", "journal.jsonl", "report.json", "report.md", "run.json"]) {
      expect(await readFile(path.join(runDir, name), "utf8"), name).not.toContain(FAKE_KEY);
    }
  });
});

describe("swarm run on ts-lib", () => {
  it("succeeds with exit 0 and a branch holding the answers", async () => {
    const repo = await gitRepo("ts-lib");
    try {
      const run = await runOn(repo, ["--branch", "swarm/ts-lib-test"]);
      expect(run.result.stderr).toBe("");
      expect(run.result.code).toBe(0);
      expect(run.report!.branch).toBe("swarm/ts-lib-test");
      expect(run.report!.counts.failed).toBe(0);
      for (const t of run.report!.tasks) {
        expect((await repo.git("show", `swarm/ts-lib-test:${t.output}`)) + "\n", t.id).toBe(answerFor(t.role, t.file));
      }
      expect(run.after.files).toEqual(run.before.files);
      expect(run.after.status).toBe(run.before.status);
    } finally {
      await repo.cleanup();
    }
  });
});
