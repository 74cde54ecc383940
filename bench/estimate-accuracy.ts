// `npm run bench:estimate` (issue 16): the estimate against what runs are billed, with faults.
// - three generated repositories, each run once against the loopback server with realistic answers,
//   seeded 5xx/malformed/truncated faults and a share of refactors whose imports break (validation
//   repairs them): uncalibrated, then calibrated from that run, against the bill, per role;
// - ten small seeded repositories: does `swarm estimate --sample 4`'s range hold the actual cost?
// - `swarm estimate` against `swarm plan` on a generated 3,500-file repository (dist/ CLI): wall and CPU time,
//   median of 3 interleaved runs each, with the load average (the machine may be shared). `--speed-only` runs
//   just this (`npm run bench:estimate-speed`), `--no-speed` all but this.
// Writes its sections of bench/RESULTS.md between the estimate-accuracy and estimate-speed markers. No assertions.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ResolvedConfig } from "../src/config/index.js";
import type { Estimate } from "../src/estimate/index.js";
import { createOpenAIProvider } from "../src/llm/openai-provider.js";
import { runSwarm } from "../src/pipeline.js";
import { prepareRun, type PrepareOptions } from "../src/prepare/index.js";
import type { Report } from "../src/report/index.js";
import { generateGitRepo } from "../test/support/generate-repo.js";
import { tempDir } from "../test/support/git-repo.js";
import { startLoopbackServer, type ParsedRequest } from "../test/support/loopback-server.js";
import { runMain } from "../test/support/main-in-process.js";
import { JSDOC_INSTRUCTION, realisticAnswer } from "../test/support/realistic-answers.js";
import { BENCH_DIR, machine, round, runNode, SWARM_BIN, writeResultsSection } from "./common.js";

const START = "<!-- estimate-accuracy -->";
const END = "<!-- /estimate-accuracy -->";
const SPEED_START = "<!-- estimate-speed -->";
const SPEED_END = "<!-- /estimate-speed -->";
const BROKEN = 'import { helperThatIsNotThere } from "./no-such-module.js";';
const FAULTS = { keyed: true, rate5xx: 0.05, rateMalformed: 0.05, rateTruncated: 0.03 };

const breaks = (file: string) => [...file].reduce((h, c) => h + c.charCodeAt(0), 0) % 6 === 0;
function answer(req: ParsedRequest): string | undefined {
  const text = realisticAnswer(req);
  if (text === undefined) return undefined;
  const clean = text.split("\n").filter((line) => line !== BROKEN).join("\n");
  return req.role === "refactor" && req.file && breaks(req.file) ? `${clean}\n${BROKEN}\n` : clean;
}

const pct = (estimated: number, actual: number) => `${actual >= estimated ? "+" : ""}${round(((actual - estimated) / estimated) * 100, 1)}%`;
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(line + "\n");
};

async function writeConfig(config: unknown): Promise<string> {
  const file = path.join(tempDir("swarm-bench-config-"), "swarm.config.json");
  await writeFile(file, JSON.stringify(config));
  return file;
}

async function accuracy(seed: number): Promise<void> {
  const server = await startLoopbackServer({ answer, logMessages: false, random: { seed, ...FAULTS } });
  const repo = await generateGitRepo({ files: 40, seed, avgBytes: 1500 });
  try {
    const configPath = await writeConfig({ retry: { baseMs: 1, maxMs: 5 }, context: { maxTokens: 0 } });
    const options: PrepareOptions = { repo: repo.dir, configPath, overrides: { instruction: JSDOC_INSTRUCTION, baseURL: server.url }, needsInstruction: true };
    const uncal = (await prepareRun(options)).estimate;
    const providerFor = (config: ResolvedConfig) => createOpenAIProvider({ baseURL: config.provider.baseURL, apiKey: "sk-bench-estimate", apiKeyEnv: "SWARM_TEST_KEY", supportsThinking: false });
    const summary = await runSwarm({ ...options, providerFor, subscribers: [], drain: new AbortController().signal, abort: new AbortController().signal });
    const report = JSON.parse(await readFile(summary.reportJson, "utf8")) as Report;
    const cal = (await prepareRun(options)).estimate;
    const stats = server.stats();
    const of = (e: Estimate, role: string) => (role === "total" ? e.total : (e.byRole as Record<string, Estimate["total"] | undefined>)[role])?.costUSD ?? 0;
    say(`| generated-40 seed ${seed} | ${stats.requests} requests / ${report.counts.total} tasks | ${report.estimateVsActual!.map((r) => `${r.role} ${pct(of(uncal, r.role), r.actual.costUSD!)} → ${pct(of(cal, r.role), r.actual.costUSD!)}`).join("; ")} |`);
  } finally {
    await server.close();
    await repo.cleanup();
  }
}

async function sampleHolds(seed: number): Promise<boolean> {
  const server = await startLoopbackServer({ answer, logMessages: false, random: { seed, ...FAULTS } });
  const repo = await generateGitRepo({ files: 12, seed: 100 + seed, avgBytes: 1200 });
  try {
    const configPath = await writeConfig({ retry: { baseMs: 1, maxMs: 5 }, context: { maxTokens: 0 } });
    const sampled = await runMain(["estimate", repo.dir, "-i", JSDOC_INSTRUCTION, "--config", configPath, "--base-url", server.url, "--sample", "4", "--json"]);
    const out = JSON.parse(sampled.stdout) as { sample: { runId: string; runDir: string; extrapolation: { total: { costUSD: { low: number; expected: number; high: number } } } } };
    await runMain(["run", repo.dir, "--config", configPath, "--from-sample", out.sample.runId]);
    const report = JSON.parse(await readFile(path.join(out.sample.runDir, "report.json"), "utf8")) as Report;
    const r = out.sample.extrapolation.total.costUSD;
    const holds = report.costUSD >= r.low && report.costUSD <= r.high;
    say(`| sample seed ${seed} | $${round(r.low, 4)}–$${round(r.expected, 4)}–$${round(r.high, 4)} | $${round(report.costUSD, 4)} | ${holds ? "yes" : "no"} |`);
    return holds;
  } finally {
    await server.close();
    await repo.cleanup();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall and CPU (main thread and workers: cpu-probe.mjs) of `swarm plan` and `swarm estimate`, interleaved. */
async function speed(): Promise<string[]> {
  const out: string[] = [];
  const repo = await generateGitRepo({ files: 3500, seed: 7, avgBytes: 1500 });
  const probeDir = await mkdtemp(path.join(os.tmpdir(), "swarm-bench-probe-"));
  try {
    const probe = path.join(probeDir, "usage.json");
    const env = { ...process.env, MOONSHOT_API_KEY: "sk-bench-0000000000000000", BENCH_PROBE_OUT: probe };
    const time = async (args: string[]) => {
      const r = await runNode(["--import", path.join(BENCH_DIR, "cpu-probe.mjs"), SWARM_BIN, ...args], { env, timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`swarm ${args[0]} exited ${r.code}: ${r.stderr.slice(-500)}`);
      const usage = JSON.parse(await readFile(probe, "utf8")) as { cpuMs: number; maxRssMB: number };
      return { wallMs: r.wallMs, cpuMs: usage.cpuMs, rssMB: usage.maxRssMB, progress: r.stderr.split("\n").filter((l) => l.startsWith("estimating:")).length };
    };
    const commands = { plan: ["plan", repo.dir, "--json"], estimate: ["estimate", repo.dir, "-i", JSDOC_INSTRUCTION, "--json"] };
    // One unmeasured run each: the first reads the repository from disk.
    for (const args of Object.values(commands)) await time(args);
    const load = [os.loadavg()[0]!];
    const runs: Record<keyof typeof commands, Awaited<ReturnType<typeof time>>[]> = { plan: [], estimate: [] };
    for (let i = 0; i < 3; i++) for (const [name, args] of Object.entries(commands) as [keyof typeof commands, string[]][]) runs[name].push(await time(args));
    load.push(os.loadavg()[0]!);
    const m = (name: keyof typeof commands, key: "wallMs" | "cpuMs" | "rssMB") => median(runs[name].map((r) => r[key]));
    const ratio = m("estimate", "wallMs") / m("plan", "wallMs");
    out.push(`Run ${new Date().toISOString()} on ${JSON.stringify(machine())}, load average ${load.map((l) => round(l, 1)).join(" → ")}`);
    out.push("");
    out.push("`swarm estimate` against `swarm plan`, generated 3,500-file repository (10,500 tasks), dist/ CLI, median of 3 interleaved runs:");
    out.push("");
    out.push("| command | wall | CPU (all threads) | peak RSS | wall runs | progress lines |");
    out.push("|---|---|---|---|---|---|");
    for (const name of ["plan", "estimate"] as const) {
      out.push(`| ${name} | ${Math.round(m(name, "wallMs"))} ms | ${Math.round(m(name, "cpuMs"))} ms | ${Math.round(m(name, "rssMB"))} MB | ${runs[name].map((r) => Math.round(r.wallMs)).join(", ")} | ${name === "estimate" ? runs[name].map((r) => r.progress).join(", ") : "–"} |`);
    }
    out.push(`| **ratio** | **${round(ratio, 2)}×** (target ≤ 2×: ${ratio <= 2 ? "met" : "not met"}) | ${round(m("estimate", "cpuMs") / m("plan", "cpuMs"), 2)}× | | | |`);
    for (const line of out) process.stdout.write(line + "\n");
    return out;
  } finally {
    await rm(probeDir, { recursive: true, force: true });
    await repo.cleanup();
  }
}

if (process.argv.includes("--speed-only")) {
  await writeResultsSection(SPEED_START, SPEED_END, `## Estimate speed (issue 16 item 5, \`npm run bench:estimate-speed\`)\n\n${(await speed()).join("\n")}`);
  process.exit(0);
}

say(`Run ${new Date().toISOString()} on ${JSON.stringify(machine())}`);
say("");
say("Estimate vs actual with faults (USD error per step kind, (actual − estimate) ÷ estimate: uncalibrated → after one calibrating run):");
say("");
say("| repo | requests | per kind |");
say("|---|---|---|");
for (const seed of [1, 2, 3]) await accuracy(seed);
say("");
say("`swarm estimate --sample 4` range against the finished run's cost (12-file repos, same faults):");
say("");
say("| repo | range low–expected–high | actual | holds |");
say("|---|---|---|---|");
let held = 0;
for (let seed = 1; seed <= 10; seed++) if (await sampleHolds(seed)) held++;
say(`| **${held} of 10** | | | target ≥ 9: ${held >= 9 ? "yes" : "no"} |`);
await writeResultsSection(START, END, `## Estimate vs actual (issue 16, \`npm run bench:estimate\`)\n\n${lines.join("\n")}`);
if (!process.argv.includes("--no-speed")) {
  await writeResultsSection(SPEED_START, SPEED_END, `## Estimate speed (issue 16 item 5, \`npm run bench:estimate-speed\`)\n\n${(await speed()).join("\n")}`);
}
