import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { cliEnv, runCli, type CliResult } from "../support/run-cli.js";

// What CI sees: `swarm run` spawned with pipes (no TTY) and CI=true. Plain lines without a single
// escape sequence, NDJSON with --json, and the GitHub extras when GITHUB_STEP_SUMMARY is set.
// Colour is forced on (FORCE_COLOR, no NO_COLOR) so "no ANSI" is the reporters' doing, not the env's.

const FAILING = "src/utils/ids.js";

let server: LoopbackServer;
let dir: string;
beforeAll(async () => {
  // Latency spreads the run over more than one progress interval (5 s of event time) at concurrency 2.
  server = await startLoopbackServer({
    latencyMs: 150,
    logMessages: false,
    faults: [{ match: { role: "refactor", file: FAILING }, fault: { kind: "status", status: 400, message: "refused on purpose" } }],
  });
  dir = tempDir("swarm-modes-");
  // Both runs at once, each on its own repo copy: most of a run's time is the CLI starting up.
  plainRepo = await gitRepo("express-api");
  jsonRepo = await gitRepo("express-api");
  dotsRepo = await gitRepo("express-api");
  plainSummaryPath = path.join(dir, "step-summary.md");
  jsonSummaryPath = path.join(dir, "json-step-summary.md");
  await writeFile(plainSummaryPath, "# earlier step\n");
  [plainRun, jsonRun, dotsRun] = await Promise.all([
    run(plainRepo, [], { GITHUB_STEP_SUMMARY: plainSummaryPath }),
    run(jsonRepo, ["--json"], { GITHUB_STEP_SUMMARY: jsonSummaryPath }),
    run(dotsRepo, ["--reporter", "dots"]),
  ]);
});
afterAll(async () => {
  await server.close();
  await Promise.all([plainRepo?.cleanup(), jsonRepo?.cleanup(), dotsRepo?.cleanup()]);
});

let plainRepo: TempRepo;
let jsonRepo: TempRepo;
let plainSummaryPath: string;
let jsonSummaryPath: string;
let plainRun: { result: CliResult; report: ReportJson };
let jsonRun: { result: CliResult; report: ReportJson };
let dotsRepo: TempRepo;
let dotsRun: { result: CliResult; report: ReportJson };

interface ReportJson {
  runId: string;
  branch: string;
  counts: { total: number; succeeded: number; failed: number; notRun: number };
  tasks: { id: string; role: string; file: string; output: string; status: string; error?: { code: string } }[];
}

async function run(repo: TempRepo, extraArgs: string[], extraEnv: Record<string, string | undefined> = {}) {
  const result = await runCli(
    ["run", repo.dir, "-i", "Convert callbacks to async/await", "--base-url", server.url, "--roles", "refactor,test", "--concurrency", "2", ...extraArgs],
    { env: cliEnv({ CI: "true", NO_COLOR: undefined, FORCE_COLOR: "1", ...extraEnv }) },
  );
  const runs = path.join(repo.dir, ".swarm", "runs");
  const runId = (await readdir(runs)).sort().at(-1)!;
  const report = JSON.parse(await readFile(path.join(runs, runId, "report.json"), "utf8")) as ReportJson;
  return { result, report };
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("CI=true, plain lines, with a GitHub step summary", () => {
  let result: CliResult;
  let report: ReportJson;
  let summaryPath: string;
  beforeAll(() => {
    ({ result, report } = plainRun);
    summaryPath = plainSummaryPath;
  });

  it("prints no escape sequence at all, on stdout or stderr", () => {
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("\x1b");
    expect(result.stderr).not.toContain("\x1b");
    expect(result.stderr).toBe("");
  });

  it("under CI prints every failure once and no line per finished task (issue 17)", () => {
    const taskLines = lines(result.stdout).filter((l) => /^(ok {3}|FAIL )/.test(l));
    const failed = report.tasks.filter((t) => t.status === "failed");
    expect(taskLines).toHaveLength(failed.length);
    for (const task of failed) expect(taskLines.filter((l) => l.startsWith(`FAIL ${task.role} ${task.file}: `))).toHaveLength(1);
    expect(result.stdout).toMatch(/^phase: scanning files \(/m);
    expect(result.stdout).toMatch(/^phase: running \d+ tasks \(/m);
    expect(result.stdout).toContain(`FAIL refactor ${FAILING}: bad-request - HTTP 400: refused on purpose`);
  });

  it("prints progress lines while running and the summary with the metrics at the end", () => {
    const progress = lines(result.stdout).filter((l) => /^\[ \d+\/\d+ \d+% \] \d+ failed \| \d+ retr(y|ies)/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(result.stdout).toMatch(/^done: \d+\/\d+ tasks succeeded, \d+ failed, \d+ not run \(completed\)$/m);
    expect(result.stdout).toContain(`branch: ${report.branch}`);
    expect(result.stdout).toMatch(/^completion: \d+\.\d% \(\d+\/\d+\)/m);
    expect(result.stdout).toMatch(/^wall per agent \(p50\/p95\/max\): refactor [\d.]+ m?s\/[\d.]+ m?s\/[\d.]+ m?s; test /m);
    expect(result.stdout).toMatch(/^report: .*report\.md$/m);
  });

  it("annotates the failed files on stdout", () => {
    const annotations = lines(result.stdout).filter((l) => l.startsWith("::error "));
    expect(annotations.some((a) => a.startsWith(`::error file=${FAILING},title=swarm refactor failed::bad-request: HTTP 400: refused on purpose`))).toBe(true);
    // Every root cause; tasks that failed because a prerequisite failed are listed under it (issue 17).
    const failedOutputs = report.tasks.filter((t) => t.status === "failed" && t.error?.code !== "dependency-failed").map((t) => t.output);
    expect(annotations.map((a) => a.match(/^::error file=([^,]+),/)?.[1]).sort()).toEqual(failedOutputs.sort());
  });

  it("appends the Markdown summary: counts, cost vs estimate, failures, branch, metrics", async () => {
    const md = await readFile(summaryPath, "utf8");
    expect(md.startsWith("# earlier step\n### swarm run ")).toBe(true);
    const c = report.counts;
    expect(md).toContain(`**${c.succeeded}/${c.total} tasks succeeded, ${c.failed} failed**`);
    expect(md).toContain(`branch \`${report.branch}\``);
    expect(md).toMatch(/cost \$[\d.]+ \(estimate \$[\d.]+, [+-]\d+%\)/);
    expect(md).toContain("#### Failed");
    expect(md).toContain(`| \`${FAILING}\` | refactor | \`bad-request\` HTTP 400: refused on purpose |`);
    expect(md).toContain("#### Metrics");
    expect(md).toMatch(/Completion: \d+\.\d% \(\d+\/\d+\)/);
    expect(md).toMatch(/\| refactor \| \d+ \| .+ \|/);
  });
});

describe("--json", () => {
  let result: CliResult;
  let summaryPath: string;
  beforeAll(() => {
    ({ result } = jsonRun);
    summaryPath = jsonSummaryPath;
  });

  it("writes only events to stdout, one JSON object per line, ending with run.finished", () => {
    expect(result.stdout).not.toContain("\x1b");
    expect(result.stdout.endsWith("\n")).toBe(true);
    const events = result.stdout
      .slice(0, -1)
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; seq: number; runId: string; summary?: { metrics?: unknown } });
    // Issue 17: the phase comes first, before the scan; then the run starts.
    expect(events[0]!.type).toBe("run.phase");
    expect(events.find((e) => e.type !== "run.phase")!.type).toBe("run.started");
    expect(events.at(-1)!.type).toBe("run.finished");
    expect(events.filter((e) => e.type === "run.finished")).toHaveLength(1);
    expect(events.at(-1)!.summary!.metrics).toBeDefined();
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
    // The validating phase counts the files validation checks, as validate.started does (not the plan's sources).
    const checked = (events.find((e) => e.type === "validate.started") as { files?: number } | undefined)?.files;
    const counts = events.filter((e) => e.type === "run.phase" && (e as { phase?: string }).phase === "validating").map((e) => (e as { count?: number }).count);
    expect(counts.length).toBeGreaterThan(0);
    for (const count of counts) if (count !== undefined) expect(count).toBe(checked);
  });

  it("sends the GitHub annotations to stderr and still writes the step summary", async () => {
    expect(result.stderr).toContain(`::error file=${FAILING},title=swarm refactor failed::`);
    expect(result.stderr).not.toContain("\x1b");
    expect(await readFile(summaryPath, "utf8")).toContain("#### Failed");
  });
});

describe("swarm report", () => {
  it("re-renders the latest run with its metrics, without colour when not a terminal", async () => {
    const result = await runCli(["report", "-C", plainRepo.dir], { env: cliEnv({ NO_COLOR: undefined, FORCE_COLOR: "1" }) });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("\x1b");
    expect(result.stdout).toContain(`swarm run ${plainRun.report.runId}`);
    expect(result.stdout).toMatch(/^completion: +\d+\.\d%/m);
    expect(result.stdout).toMatch(/^wall refactor: p50 /m);
    expect(result.stdout).toMatch(/^tokens per agent refactor: p50 /m);
  });

  it("says how to name the repository when given a path for the run id", async () => {
    const result = await runCli(["report", plainRepo.dir], { env: cliEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("swarm: run id: expected YYYYMMDD-HHMMSS-xxxx");
    expect(result.stderr).toContain("hint: the repository goes after -C: swarm report -C <repo> [run-id]");
  });
});

describe("--reporter dots (issue 17)", () => {
  it("prints a mark per task, F for the failure, and no line per task", () => {
    const { result, report } = dotsRun;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain("\x1b");
    const marks = lines(result.stdout).filter((l) => /^[.F-]+$/.test(l)).join("");
    // Settled tasks, each once: the count comes from report.json, not from the reporter.
    expect(marks).toHaveLength(report.counts.succeeded + report.counts.failed);
    expect([...marks].filter((m) => m === "F")).toHaveLength(report.counts.failed);
    expect(lines(result.stdout).filter((l) => /^(ok {3}|FAIL )/.test(l))).toEqual([]);
    expect(result.stdout).toMatch(/^phase: building the import graph of \d+ files \(/m);
  });
});
