import { access, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/types.js";
import type { SampleExtrapolation, SampleSelection } from "../../src/estimate/sample.js";
import type { Report } from "../../src/report/types.js";
import { gitRepo, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer, type RequestLog } from "../support/loopback-server.js";
import { runMain, type MainResult } from "../support/main-in-process.js";
import { JSDOC_INSTRUCTION, realisticAnswer } from "../support/realistic-answers.js";
import { cliEnv } from "../support/run-cli.js";

// `swarm estimate --sample N` runs N representative tasks for real and extrapolates; `swarm run
// --from-sample <id>` continues that run without sending the sampled requests again.

const SAMPLE_SIZE = 6;

interface SampleJson {
  runId: string;
  selection: SampleSelection;
  stoppedBy: string;
  spentUSD: number;
  extrapolation: SampleExtrapolation;
}

let server: LoopbackServer;
let repo: TempRepo;
let sampleCli: MainResult;
let runId: string;
let runDir: string;
let sample: SampleJson;
let plan: Plan;
let sampleRequests: RequestLog[];
let sampleStats: ReturnType<LoopbackServer["stats"]>;
let staticUSD: number;

beforeAll(async () => {
  server = await startLoopbackServer({ answer: realisticAnswer });
  repo = await gitRepo("express-api");
  const est = await runMain(["estimate", repo.dir, "-i", JSDOC_INSTRUCTION, "--json"]);
  // The sample extrapolates first attempts (its measured ratio carries the retries): the static first-attempts line.
  staticUSD = (JSON.parse(est.stdout) as { estimate: { lines: { firstAttempts: { costUSD: number } } } }).estimate.lines.firstAttempts.costUSD;
  server.reset();
  sampleCli = await runMain(["estimate", repo.dir, "-i", JSDOC_INSTRUCTION, "--base-url", server.url, "--sample", String(SAMPLE_SIZE)]);
  sampleRequests = [...server.requests];
  sampleStats = server.stats();
  runId = /--from-sample (\d{8}-\d{6}-[0-9a-f]{4})/.exec(sampleCli.stdout)![1]!;
  runDir = path.join(repo.dir, ".swarm", "runs", runId);
  sample = JSON.parse(await readFile(path.join(runDir, "sample.json"), "utf8")) as SampleJson;
  plan = JSON.parse(await readFile(path.join(runDir, "plan.json"), "utf8")) as Plan;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await repo?.cleanup();
});

const exists = (file: string) => access(file).then(() => true, () => false);

describe("swarm estimate --sample", () => {
  it("sends exactly the sampled requests and prints the range beside the static estimate", () => {
    expect(sampleCli.code).toBe(0);
    expect(sampleCli.stderr).toBe("");
    expect(sample.selection.picked).toHaveLength(SAMPLE_SIZE);
    expect(sampleRequests.map((r) => `${r.role}:${r.file}`).sort()).toEqual([...sample.selection.taskIds].sort());
    expect(sampleCli.stdout).toContain(`${SAMPLE_SIZE} tasks run for real`);
    expect(sampleCli.stdout).toMatch(/Expected cost: \$[\d.]+ \(range \$[\d.]+–\$[\d.]+\); static estimate \$[\d.]+ \(uncalibrated/);
    expect(sampleCli.stdout).toContain(`swarm run --from-sample ${runId} `);
  });

  it("spreads the sample over roles and file sizes; a test or doc sample has its refactor", () => {
    const byId = new Map(plan.tasks.map((t) => [t.id, t]));
    const picked = sample.selection.picked.map((id) => byId.get(id)!);
    expect(new Set(picked.map((t) => t.role))).toEqual(new Set(plan.roles));
    const refactorBytes = plan.tasks.filter((t) => t.role === "refactor").map((t) => t.bytes).sort((a, b) => a - b);
    const median = refactorBytes[Math.floor(refactorBytes.length / 2)]!;
    const pickedBytes = picked.map((t) => t.bytes);
    expect(Math.min(...pickedBytes)).toBeLessThan(median);
    expect(Math.max(...pickedBytes)).toBeGreaterThan(median);
    for (const t of picked) for (const dep of t.dependsOn) expect(sample.selection.taskIds, t.id).toContain(dep);
  });

  it("measures tokens, cache share and retries, and extrapolates a low ≤ expected ≤ high range", () => {
    const { total } = sample.extrapolation;
    expect(total.measured.usage).toEqual({ inputTokens: sampleStats.promptTokens, cachedInputTokens: sampleStats.cachedTokens, outputTokens: sampleStats.completionTokens });
    expect(total.measured.cacheHitShare).toBeCloseTo(sampleStats.cachedTokens / sampleStats.promptTokens, 12);
    expect(total.measured.retries).toBe(0);
    expect(total.measured.costUSD).toBeCloseTo(sample.spentUSD, 12);
    expect(total.tasks).toBe(plan.tasks.length);
    expect(total.staticUSD).toBeCloseTo(staticUSD, 9);
    for (const r of [total.costUSD, total.inputTokens, total.outputTokens]) {
      expect(r.low).toBeLessThanOrEqual(r.expected);
      expect(r.expected).toBeLessThanOrEqual(r.high);
    }
    expect(total.costUSD.expected).toBeGreaterThan(total.measured.costUSD);
  });

  it("its calibration is labelled as a sample, never as a run", async () => {
    const next = await runMain(["estimate", repo.dir, "-i", JSDOC_INSTRUCTION]);
    expect(next.stdout).toMatch(/\(calibrated from a sample of \d+ tasks\)/);
    expect(next.stdout).not.toMatch(/calibrated from \d+ runs?/);
  });

  it("keeps the steps in a run directory laid out as runSwarm lays it out, and writes no branch", async () => {
    for (const file of ["plan.json", "run.json", "journal.jsonl", "sample.json"]) expect(await exists(path.join(runDir, file)), file).toBe(true);
    const journal = (await readFile(path.join(runDir, "journal.jsonl"), "utf8")).trim().split("\n");
    expect(journal).toHaveLength(sampleRequests.length);
    expect(await repo.git("branch", "--list", `swarm/${runId}`)).toBe("");
  });
});

describe("swarm estimate --sample without an API key", () => {
  it("fails before any request, and says the static estimate needs none", async () => {
    const other = await gitRepo("ts-lib");
    try {
      server.reset();
      const result = await runMain(["estimate", other.dir, "-i", JSDOC_INSTRUCTION, "--base-url", server.url, "--sample", "2"], cliEnv({ MOONSHOT_API_KEY: undefined }));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^swarm: no API key: set MOONSHOT_API_KEY/);
      expect(result.stderr).toContain("hint: swarm estimate without --sample needs no key");
      expect(server.requests).toHaveLength(0);
      expect(await exists(path.join(other.dir, ".swarm", "runs"))).toBe(false);
    } finally {
      await other.cleanup();
    }
  });
});

describe("swarm run --from-sample", () => {
  let cli: MainResult;
  let report: Report;
  let continued: RequestLog[];
  beforeAll(async () => {
    server.reset();
    cli = await runMain(["run", repo.dir, "--from-sample", runId], cliEnv());
    continued = [...server.requests];
    report = JSON.parse(await readFile(path.join(runDir, "report.json"), "utf8")) as Report;
    const actual = report.costUSD;
    const r = sample.extrapolation.total.costUSD;
    console.log(`sample of ${SAMPLE_SIZE}: static $${staticUSD.toFixed(4)}, sampled range $${r.low.toFixed(4)}–$${r.expected.toFixed(4)}–$${r.high.toFixed(4)}, actual $${actual.toFixed(4)} (static ${(((actual - staticUSD) / staticUSD) * 100).toFixed(1)}%, sampled ${(((actual - r.expected) / r.expected) * 100).toFixed(1)}%)`);
  }, 60_000);

  it("finishes the plan in the sample's run and branch", async () => {
    expect(cli.code).toBe(0);
    expect(report.runId).toBe(runId);
    expect(report.counts.succeeded).toBe(plan.tasks.length);
    expect(report.branch).toBe(`swarm/${runId}`);
    expect(await repo.git("branch", "--list", report.branch!)).toContain(report.branch!);
  });

  it("never sends a sampled request again", () => {
    const sampled = new Set(sample.selection.taskIds);
    expect(continued.filter((r) => sampled.has(`${r.role}:${r.file}`))).toEqual([]);
    expect(continued).toHaveLength(plan.tasks.length - sampled.size);
  });

  it("the sampled range holds the run's actual cost", () => {
    const r = sample.extrapolation.total.costUSD;
    expect(report.costUSD).toBeGreaterThanOrEqual(r.low);
    expect(report.costUSD).toBeLessThanOrEqual(r.high);
  });

  it("replaces the sample's calibration entry instead of counting its tasks twice; the next estimate says it is calibrated", async () => {
    const calibration = JSON.parse(await readFile(path.join(repo.dir, ".swarm", "calibration.json"), "utf8")) as { runs: { runId: string; byKey: Record<string, { tasks: number }> }[] };
    expect(calibration.runs.map((r) => r.runId)).toEqual([runId]);
    expect(Object.values(calibration.runs[0]!.byKey).reduce((n, k) => n + k.tasks, 0)).toBe(plan.tasks.length);
    const next = await runMain(["estimate", repo.dir, "-i", JSDOC_INSTRUCTION]);
    expect(next.stdout).toMatch(/Expected cost: \$[\d.]+ \(range [^)]*\) \(calibrated from 1 run\)/);
    expect(next.stdout).toContain("calibrated from 1 run: tokens scaled per model and step kind");
  });

  it("counts the sample's bill in the run's", () => {
    const now = server.stats();
    expect(report.tokens).toEqual({
      input: sampleStats.promptTokens + now.promptTokens,
      cachedInput: sampleStats.cachedTokens + now.cachedTokens,
      output: sampleStats.completionTokens + now.completionTokens,
    });
  });
});
