import { readFile } from "node:fs/promises";
import { bundleBranch } from "./git/index.js";
import type { OpenRun } from "./open-run.js";
import type { Report } from "./report/index.js";
import { writeShardFile } from "./shard/index.js";

/** `--bundle-out`: the shard's branch as a git bundle, with its journal and report, in one file for `swarm merge`. */
export async function writeShardBundle(run: OpenRun, report: Report, file: string): Promise<void> {
  const shard = run.prepared.shard!;
  const bundle = report.branch ? await bundleBranch(run.top, report.branch, run.prepared.repo.headSha) : null;
  const journal = await readFile(run.paths.journal, "utf8").catch(() => "");
  await writeShardFile(file, { fingerprint: shard.fingerprint, shard: { index: shard.index, count: shard.count }, runId: run.runId, headSha: run.prepared.repo.headSha, tip: bundle?.tip ?? null, report, journal }, bundle?.bytes ?? null);
}
