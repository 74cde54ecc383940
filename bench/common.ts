// Shared helpers of the benchmark: latency model, child processes, machine facts.
// The orchestrator (run.ts) hosts the loopback server; everything measured runs in a child process
// so its CPU time and peak RSS are its own.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LatencyFn } from "../test/support/loopback-server.js";
import { keyedUniform, normalFromUniforms } from "../test/support/seeded-random.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_DIR = path.join(ROOT, "bench");
export const SWARM_BIN = path.join(ROOT, "bin", "swarm.js");
const TSX_IMPORT = ["--import", "tsx"];
export const BENCH_KEY = "sk-bench-0000000000000000";

/**
 * Lognormal server latency drawn from (seed, role|file|nth): the same request gets the same delay in
 * every run whatever the arrival order, so ours and the naive pattern face identical work.
 */
export function lognormalLatency(seed: number, medianMs: number, p99Ms: number): LatencyFn {
  const sigma = Math.log(p99Ms / medianMs) / 2.3263478740408408; // z of the 99th percentile
  const mu = Math.log(medianMs);
  return (req) => {
    const z = normalFromUniforms(keyedUniform(seed, req.key), keyedUniform(seed + 7919, req.key));
    return Math.round(Math.exp(mu + sigma * z));
  };
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs `node <args>`; resolves when it exits. */
export function runNode(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - t0 });
    });
  });
}

/** Runs a bench child script (TypeScript, through tsx) that writes its JSON result to the file given as its last argument. */
export async function runChild<T>(script: string, input: unknown, opts: { timeoutMs?: number } = {}): Promise<T & { childWallMs: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "swarm-bench-out-"));
  const out = path.join(dir, "result.json");
  try {
    const res = await runNode([...TSX_IMPORT, path.join(BENCH_DIR, script), JSON.stringify(input), out], { timeoutMs: opts.timeoutMs ?? 300_000 });
    if (res.code !== 0) throw new Error(`${script} exited ${res.code}: ${res.stderr.slice(-2000)}`);
    return { ...(JSON.parse(await readFile(out, "utf8")) as T), childWallMs: res.wallMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** CPU and peak RSS of the current process, for children to report. */
export function selfUsage() {
  const cpu = process.cpuUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

/** Replaces the text between `start` and `end` in bench/RESULTS.md, markers kept (appends the section when they are missing). */
export async function writeResultsSection(start: string, end: string, body: string): Promise<void> {
  const resultsPath = path.join(BENCH_DIR, "RESULTS.md");
  const previous = await readFile(resultsPath, "utf8").catch(() => "");
  const section = `${start}\n${body}\n${end}`;
  const at = previous.indexOf(start);
  const next = at === -1 ? `${previous.trimEnd()}\n\n${section}\n` : previous.slice(0, at) + section + previous.slice(previous.indexOf(end) + end.length);
  await writeFile(resultsPath, next);
}
