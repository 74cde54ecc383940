// `npm run bench:shards`: issue 19's figure, the merge time of 4 shards × 1,000 files. Four shards of a
// generated 4,000-file repo run as CLI children (one after another, so the machine is not the bottleneck) against the
// loopback server; then `swarm merge` is timed. Needs `npm run build`. Prints a row for bench/RESULTS.md.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generateGitRepo } from "../test/support/generate-repo.js";
import { startLoopbackServer } from "../test/support/loopback-server.js";
import { BENCH_KEY, runNode, SWARM_BIN } from "./common.js";

const SHARDS = 4;
const FILES = 4000;

async function main() {
  const repo = await generateGitRepo({ files: FILES, seed: 19 });
  const server = await startLoopbackServer({ latencyMs: 1 });
  const out = await mkdtemp(path.join(os.tmpdir(), "swarm-bench-shards-"));
  const config = path.join(out, "swarm.config.json");
  await writeFile(config, JSON.stringify({ roles: ["refactor"], maxSteps: 100_000 }));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", CI: "true", MOONSHOT_API_KEY: BENCH_KEY };
  const common = ["-i", "Convert callbacks to async/await", "--base-url", server.url, "-c", config, "--concurrency", "64"];
  const files: string[] = [];
  for (let k = 1; k <= SHARDS; k++) {
    const file = path.join(out, `shard-${k}.swarm`);
    const t0 = performance.now();
    const r = await runNode([SWARM_BIN, "run", repo.dir, ...common, "--shard", `${k}/${SHARDS}`, "--bundle-out", file], { env, timeoutMs: 900_000 });
    process.stdout.write(`shard ${k}/${SHARDS}: exit ${r.code}, ${Math.round(performance.now() - t0)} ms\n`);
    files.push(file);
  }
  const t0 = performance.now();
  const merged = await runNode([SWARM_BIN, "merge", ...files, "-C", repo.dir, ...common, "--branch", "swarm/bench-merge"], { env, timeoutMs: 900_000 });
  const mergeMs = performance.now() - t0;
  const changed = (await repo.git("diff", "--name-only", "HEAD", "swarm/bench-merge")).split("\n").filter(Boolean).length;
  process.stdout.write(`| shard merge (#19) | swarm merge of ${SHARDS} × ${FILES / SHARDS} files (wall, CLI start to exit) | ${Math.round(mergeMs).toLocaleString("en-US")} ms (exit ${merged.code}, ${changed} files on the branch) | — | — |\n`);
  if (merged.code !== 0) process.stderr.write(merged.stderr);
  await server.close();
}

await main();
