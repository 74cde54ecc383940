import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRun } from "../../src/prepare/index.js";
import type { Report } from "../../src/report/types.js";
import { gitRepo, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { runMain, type MainResult } from "../support/main-in-process.js";
import { JSDOC_INSTRUCTION, realisticAnswer } from "../support/realistic-answers.js";

// maxCostUSD below the estimate: the run stops before it crosses the limit, keeps what finished on
// its branch, and says why, in report.json and on the terminal.

let server: LoopbackServer;
let repo: TempRepo;
let limitUSD: number;
let estimatedUSD: number;
let cli: MainResult;
let report: Report;

beforeAll(async () => {
  server = await startLoopbackServer({ answer: realisticAnswer, logMessages: false });
  repo = await gitRepo("express-api");
  const prepared = await prepareRun({ repo: repo.dir, overrides: { instruction: JSDOC_INSTRUCTION }, needsInstruction: true });
  estimatedUSD = prepared.estimate.total.costUSD;
  limitUSD = Math.round(estimatedUSD * 0.4 * 1e6) / 1e6;
  cli = await runMain(["run", repo.dir, "-i", JSDOC_INSTRUCTION, "--base-url", server.url, "--max-cost-usd", String(limitUSD)]);
  const reportPath = /(\S+report\.json)/.exec(cli.stdout)?.[1];
  report = JSON.parse(await readFile(reportPath!, "utf8")) as Report;
  console.log(`cost budget: estimate ${estimatedUSD}, limit ${limitUSD}, spent ${report.costUSD} (${((report.costUSD / limitUSD) * 100).toFixed(1)}% of the limit), ${report.counts.succeeded}/${report.counts.total} tasks`);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await repo?.cleanup();
});

describe("a run with maxCostUSD below its estimate", () => {
  it("stops by the cost budget before crossing it", () => {
    expect(report.stoppedBy).toBe("budget");
    expect(report.budget).toBe("cost");
    expect(report.costUSD).toBeGreaterThan(0);
    expect(report.costUSD).toBeLessThanOrEqual(limitUSD);
    expect(report.counts.notRun).toBeGreaterThan(0);
    // What the endpoint billed is what the report says was spent.
    const stats = server.stats();
    expect(report.tokens).toEqual({ input: stats.promptTokens, cachedInput: stats.cachedTokens, output: stats.completionTokens });
  });

  it("commits the finished tasks to the branch", async () => {
    expect(report.branch).not.toBeNull();
    expect(await repo.git("branch", "--list", report.branch!)).toContain(report.branch!);
    const succeeded = report.tasks.filter((t) => t.status === "succeeded" && t.changed);
    expect(succeeded.length).toBeGreaterThan(0);
    const onBranch = (await repo.git("diff", "--name-only", `main..${report.branch}`)).split("\n");
    expect(onBranch.sort()).toEqual([...new Set(succeeded.map((t) => t.output))].sort());
    for (const t of report.tasks.filter((t) => t.status === "not-run")) expect(t.error?.code, t.id).toMatch(/^(budget|dependency-failed)$/);
  });

  it("says so on the terminal, with a resume hint", () => {
    expect(cli.stdout).toMatch(/budget exhausted: cost \$/);
    // Issue 16: the spend printed is the bill, and the stop says which reserve would have crossed the limit.
    const line = /budget exhausted: cost \$([\d.]+) spent of \$([\d.]+); stopped before \$([\d.]+): the next (\d+ tasks'|task's) reserve \(\$([\d.]+)\) would cross the \$[\d.]+ limit/.exec(cli.stdout);
    expect(line, cli.stdout).not.toBeNull();
    expect(Number(line![3])).toBeGreaterThan(limitUSD);
    expect(Number(line![1])).toBeLessThanOrEqual(Number(report.costUSD.toFixed(2)) + 0.005);
    expect(cli.stdout).toContain("stopped by the cost budget");
    expect(cli.stdout).toMatch(/swarm resume \d{8}-\d{6}-[0-9a-f]{4}/);
  });
});

describe("a cost budget below one task's reserve", () => {
  it("is a usage error before any request, naming the smallest budget that would start", async () => {
    const other = await gitRepo("express-api");
    try {
      server.reset();
      const result = await runMain(["run", other.dir, "-i", JSDOC_INSTRUCTION, "--base-url", server.url, "--max-cost-usd", "0.000001"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot pay for one task: the cheapest task reserves \$[\d.]+/);
      const smallest = /--max-cost-usd ([\d.]+)/.exec(result.stderr.split("hint:")[1] ?? "")?.[1];
      expect(Number(smallest)).toBeGreaterThan(0);
      expect(server.requests).toHaveLength(0);
    } finally {
      await other.cleanup();
    }
  });
});
