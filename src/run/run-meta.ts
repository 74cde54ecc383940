import path from "node:path";
import type { ConfigOverrides } from "../config/index.js";
import { usageError, type Plan } from "../core/index.js";
import { readJson, writeFileAtomic } from "../util/index.js";
import { createRunDir, runDirPaths, runsRoot, type RunDirPaths } from "./run-dir.js";

/** `run.json`: what a resume needs to redo the run's preparation exactly as it was. */
export interface RunMeta {
  runId: string;
  branch: string;
  headSha: string;
  instruction: string;
  startedAt: string;
  options: { configPath?: string; overrides: ConfigOverrides };
}

/** run.json of a sample: a RunMeta (so `swarm run --from-sample` continues it like a resume) plus what was sampled. */
export interface SampleMeta extends RunMeta {
  sample: { size: number; taskIds: string[] };
}

/** The run.json of an earlier run; a run id that has none is the user's mistake, said in one line. */
export async function readRunMeta(repoTop: string, runId: string): Promise<RunMeta> {
  return readJson<RunMeta>(runDirPaths(repoTop, runId).meta).catch(() => {
    throw usageError(`no run ${runId} in ${runsRoot(repoTop)}`, "swarm report lists the runs of a repository");
  });
}

/** A resume redoes the run's preparation, which only gives the same plan and messages on the same HEAD. */
export function assertSameHead(meta: RunMeta, headSha: string): void {
  if (headSha === meta.headSha) return;
  throw usageError(`HEAD moved since run ${meta.runId} started (was ${meta.headSha.slice(0, 12)}, now ${headSha.slice(0, 12)})`, "check out the original commit to resume, or start a new run");
}

/** A new run's directory with its whole plan (plan.json) and run.json, before the first request. */
export async function openRunDir(repoTop: string, plan: Plan, meta: RunMeta | SampleMeta): Promise<RunDirPaths> {
  const paths = await createRunDir(repoTop, meta.runId);
  await writeFileAtomic(paths.plan, JSON.stringify(plan, null, 2) + "\n");
  await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2) + "\n");
  return paths;
}

/**
 * The tip an earlier process of this run left on `branch` (its report's last commit, or the base when
 * nothing was committed); null when it wrote no report for that branch.
 */
export async function writtenBranchTip(paths: RunDirPaths, branch: string): Promise<string | null> {
  const report = await readJson<{ branch: string | null; baseSha: string; commits: { sha: string }[] }>(paths.reportJson).catch(() => null);
  if (!report || report.branch !== branch) return null;
  return report.commits.at(-1)?.sha ?? report.baseSha;
}

/** `<run dir>/sample.json`: a sample's selection, bills and extrapolation, for later reading. */
export async function writeSampleFile(paths: RunDirPaths, sample: object): Promise<string> {
  const file = path.join(paths.dir, "sample.json");
  await writeFileAtomic(file, JSON.stringify(sample, null, 2) + "\n");
  return file;
}
