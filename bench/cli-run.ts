// Runs the real CLI (`bin/swarm.js run`) as a child against a loopback server and collects what
// the benchmark needs: the plan it executed, its CPU and peak RSS, and the event stream.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BENCH_DIR, BENCH_KEY, runNode, SWARM_BIN } from "./common.js";
import type { DagTask } from "./ideal.js";

export interface CliRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  tasks: DagTask[];
  /** Counts of NDJSON events by type. */
  events: Record<string, number>;
  /** Ms from run.started to the last step.finished, client clock. */
  executeMs: number;
  /** Ms from run.started to run.finished. */
  afterStartMs: number;
  /** Ms from validate.started to validate.finished (0 without validation). */
  validateMs: number;
  succeeded: number;
  failed: number;
  stderr: string;
}

export async function runSwarmCli(opts: { repo: string; baseURL: string; concurrency: number; config?: Record<string, unknown> }): Promise<CliRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "swarm-bench-cli-"));
  try {
    const probe = path.join(dir, "probe.json");
    const configPath = path.join(dir, "swarm.config.json");
    await writeFile(configPath, JSON.stringify({ maxSteps: 100_000, ...opts.config }));
    const args = [
      "--import", path.join(BENCH_DIR, "cpu-probe.mjs"), SWARM_BIN,
      "run", opts.repo, "-i", "Convert callbacks to async/await", "--base-url", opts.baseURL,
      "--concurrency", String(opts.concurrency), "-c", configPath, "--json",
    ];
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", CI: "true", MOONSHOT_API_KEY: BENCH_KEY, BENCH_PROBE_OUT: probe };
    const res = await runNode(args, { env, timeoutMs: 300_000 });
    const usage = JSON.parse(await readFile(probe, "utf8")) as { cpuMs: number; maxRssMB: number };
    const events: Record<string, number> = {};
    let startedT = 0;
    let lastStepT = 0;
    let finishedT = 0;
    let validateStartT = 0;
    let validateMs = 0;
    let summary: { counts?: { succeeded: number; failed: number }; runDir?: string; reportJson?: string } = {};
    for (const line of res.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const e = JSON.parse(line) as { type: string; t: number; summary?: typeof summary };
      events[e.type] = (events[e.type] ?? 0) + 1;
      if (e.type === "run.started") startedT = e.t;
      if (e.type === "step.finished") lastStepT = e.t;
      if (e.type === "validate.started") validateStartT = e.t;
      if (e.type === "validate.finished") validateMs = e.t - validateStartT;
      if (e.type === "run.finished") {
        finishedT = e.t;
        summary = e.summary ?? {};
      }
    }
    if (res.code !== 0 && res.code !== 1) throw new Error(`swarm run exited ${res.code}: ${res.stderr.slice(-2000)}`);
    const planPath = await findPlan(opts.repo, res.stdout);
    const plan = JSON.parse(await readFile(planPath, "utf8")) as { tasks: DagTask[] };
    const s = summary as { counts?: { succeeded: number; failed: number } };
    return {
      code: res.code,
      wallMs: res.wallMs,
      cpuMs: usage.cpuMs,
      maxRssMB: usage.maxRssMB,
      tasks: plan.tasks.map((t) => ({ id: t.id, role: t.role, file: t.file, dependsOn: t.dependsOn })),
      events,
      executeMs: lastStepT - startedT,
      afterStartMs: finishedT - startedT,
      validateMs,
      succeeded: s.counts?.succeeded ?? 0,
      failed: s.counts?.failed ?? 0,
      stderr: res.stderr,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The run's plan.json: the newest run directory of the repo (runs are sequential in the bench). */
async function findPlan(repo: string, stdout: string): Promise<string> {
  const m = /"runId":"([^"]+)"/.exec(stdout);
  if (!m) throw new Error("no runId in the CLI's NDJSON output");
  return path.join(repo, ".swarm", "runs", m[1]!, "plan.json");
}
