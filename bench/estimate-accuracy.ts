// `npm run bench:estimate` (issue 16): the estimate against what runs are billed, with faults.
// - three generated repositories, each run once against the loopback server with realistic answers,
//   seeded 5xx/malformed/truncated faults and a share of refactors whose imports break (validation
//   repairs them): uncalibrated, then calibrated from that run, against the bill, per role;
// - ten small seeded repositories: does `swarm estimate --sample 4`'s range hold the actual cost?
// - `swarm estimate` against `swarm plan` wall time on a generated 3,500-file repository (dist/ CLI).
// Writes its section of bench/RESULTS.md between the estimate-accuracy markers. No assertions.
import { readFile, writeFile } from "node:fs/promises";
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
import { BENCH_DIR, machine, round, runNode, SWARM_BIN } from "./common.js";

const START = "<!-- estimate-accuracy -->";
const END = "<!-- /estimate-accuracy -->";
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

async function speed(): Promise<void> {
  const repo = await generateGitRepo({ files: 3500, seed: 7, avgBytes: 1500 });
  try {
    const env = { ...process.env, MOONSHOT_API_KEY: "sk-bench-0000000000000000" };
    const time = async (args: string[]) => {
      const t0 = performance.now();
      const r = await runNode([SWARM_BIN, ...args], { env, timeoutMs: 600_000 });
      return { ms: performance.now() - t0, code: r.code, stderr: r.stderr };
    };
    const plan = await time(["plan", repo.dir, "--json"]);
    const estimate = await time(["estimate", repo.dir, "-i", JSDOC_INSTRUCTION, "--json"]);
    const ratio = estimate.ms / plan.ms;
    say(`| generated-3500 | ${Math.round(plan.ms)} ms | ${Math.round(estimate.ms)} ms | ${round(ratio, 2)}× | ≤ 2× | ${ratio <= 2 ? "yes" : "no"} | ${estimate.stderr.split("\n").filter((l) => l.startsWith("estimating:")).length} progress lines |`);
  } finally {
    await repo.cleanup();
  }
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
say("");
if (!process.argv.includes("--no-speed")) {
  say("`swarm estimate` against `swarm plan` wall time (dist/ CLI):");
  say("");
  say("| repo | plan | estimate | ratio | target | holds | progress |");
  say("|---|---|---|---|---|---|---|");
  await speed();
}

const resultsPath = path.join(BENCH_DIR, "RESULTS.md");
const previous = await readFile(resultsPath, "utf8");
const section = `${START}\n## Estimate vs actual (issue 16, \`npm run bench:estimate\`)\n\n${lines.join("\n")}\n${END}`;
const at = previous.indexOf(START);
const next = at === -1 ? `${previous.trimEnd()}\n\n${section}\n` : previous.slice(0, at) + section + previous.slice(previous.indexOf(END) + END.length);
await writeFile(resultsPath, next);
