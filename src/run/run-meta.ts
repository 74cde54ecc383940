import path from "node:path";
import type { ConfigOverrides } from "../config/index.js";
import { usageError, type Plan } from "../core/index.js";
import { printable, readJson, writeFileAtomic } from "../util/index.js";
import { createRunDir, listRuns, RUN_ID_PATTERN, runDirPaths, runsRoot, type RunDirPaths } from "./run-dir.js";

/** `run.json`: what a resume needs to redo the run's preparation exactly as it was. */
export interface RunMeta {
  runId: string;
  branch: string;
  headSha: string;
  instruction: string;
  startedAt: string;
  options: { configPath?: string; overrides: ConfigOverrides; shard?: { index: number; count: number }; bundleOut?: string };
  /** Endpoint settings and limits given to resumes (--base-url, --model, --concurrency, --max-cost-usd…), in order; each on top of the last. */
  resumes?: { at: string; overrides: ConfigOverrides }[];
}

// What a resume may change: how the endpoint is reached and what the rest may spend or fail (`swarm resume <id>
// --max-cost-usd 10` after a budget stop), not what the run does (plan and instruction stay).
const RESUMABLE = ["baseURL", "model", "concurrency", "apiKeyEnv", "maxCostUSD", "maxFailureRate"] as const;

/** The overrides a resume runs with: the run's own, then every earlier resume's, then this one's endpoint flags. */
export function resumeOverrides(meta: RunMeta, flags: ConfigOverrides): { overrides: ConfigOverrides; given: ConfigOverrides } {
  const given: ConfigOverrides = {};
  for (const key of RESUMABLE) if (flags[key] !== undefined) Object.assign(given, { [key]: flags[key] });
  const earlier = (meta.resumes ?? []).map((r) => r.overrides);
  const overrides: ConfigOverrides = Object.assign({}, meta.options.overrides, ...earlier, given);
  // run.json never holds the credential of a --base-url: it must come with the resume again.
  if (typeof overrides.baseURL === "string" && overrides.baseURL.includes(REDACTED)) {
    throw usageError(`run ${meta.runId} reached its endpoint with a credential in --base-url, which run.json does not keep`, "pass the same --base-url to `swarm resume` again");
  }
  return { overrides, given };
}

const REDACTED = "REDACTED";
const SECRET_PARAM = /key|token|secret|password|passwd|sig|auth/i;

/** A base URL without its credentials: the password of its user info and secret-looking query values. */
function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  if (parsed.password !== "") {
    parsed.password = REDACTED;
    changed = true;
  }
  for (const [name, value] of parsed.searchParams) {
    if (SECRET_PARAM.test(name) && value !== "") {
      parsed.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? parsed.toString() : url;
}

/** Overrides as run.json keeps them: a --base-url's credentials replaced by REDACTED (see resumeOverrides). */
function storable(overrides: ConfigOverrides): ConfigOverrides {
  return typeof overrides.baseURL === "string" ? { ...overrides, baseURL: redactUrl(overrides.baseURL) } : overrides;
}

/** Records a resume's endpoint flags in run.json, so the next resume starts from them. */
export async function recordResume(paths: RunDirPaths, meta: RunMeta, given: ConfigOverrides): Promise<void> {
  if (Object.keys(given).length === 0) return;
  const next: RunMeta = { ...meta, resumes: [...(meta.resumes ?? []), { at: new Date().toISOString(), overrides: storable(given) }] };
  await writeFileAtomic(paths.meta, JSON.stringify(next, null, 2) + "\n");
}

/** run.json of a sample: a RunMeta (so `swarm run --from-sample` continues it like a resume) plus what was sampled. */
export interface SampleMeta extends RunMeta {
  sample: { size: number; taskIds: string[] };
}

/**
 * The run.json of an earlier run. A malformed id, or one with no run.json, is the user's mistake: one line
 * naming the recent runs.
 */
export async function readRunMeta(repoTop: string, runId: string): Promise<RunMeta> {
  const missing = async (what: string) => {
    const recent = (await listRuns(repoTop).catch(() => [])).filter((r) => r.hasPlan).slice(-5).map((r) => r.id).reverse();
    const hint = recent.length > 0 ? `recent runs: ${recent.join(", ")}` : `no runs yet in ${runsRoot(repoTop)}`;
    return usageError(what, hint);
  };
  if (!RUN_ID_PATTERN.test(runId)) throw await missing(`not a run id: ${printable(runId)} (expected YYYYMMDD-HHMMSS-xxxx)`);
  const meta = await readJson<RunMeta>(runDirPaths(repoTop, runId).meta).catch(() => null);
  if (meta === null) throw await missing(`no run ${runId} in ${runsRoot(repoTop)}`);
  return meta;
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
  await writeFileAtomic(paths.meta, JSON.stringify({ ...meta, options: { ...meta.options, overrides: storable(meta.options.overrides) } }, null, 2) + "\n");
  return paths;
}

/**
 * The tip an earlier process of this run left on `branch` (its report's last commit, or the base when
 * nothing was committed); null when it wrote no report for that branch.
 */
export async function writtenBranchTip(paths: RunDirPaths, branch: string): Promise<string | null> {
  // Written just before the branch, so it is the newest tip this run made, report or not (a kill between the two).
  const created = await readJson<{ branch: string; sha: string }>(branchTipFile(paths)).catch(() => null);
  if (created?.branch === branch) return created.sha;
  const report = await readJson<{ branch: string | null; baseSha: string; commits: { sha: string }[] }>(paths.reportJson).catch(() => null);
  if (!report || report.branch !== branch) return null;
  return report.commits.at(-1)?.sha ?? report.baseSha;
}

const branchTipFile = (paths: RunDirPaths) => path.join(paths.dir, "branch-tip.json");

/** Records the tip the run is about to give its branch (see writtenBranchTip). */
export async function recordBranchTip(paths: RunDirPaths, branch: string, sha: string): Promise<void> {
  await writeFileAtomic(branchTipFile(paths), JSON.stringify({ branch, sha }) + "\n");
}

/** `<run dir>/sample.json`: a sample's selection, bills and extrapolation, for later reading. */
export async function writeSampleFile(paths: RunDirPaths, sample: object): Promise<string> {
  const file = path.join(paths.dir, "sample.json");
  await writeFileAtomic(file, JSON.stringify(sample, null, 2) + "\n");
  return file;
}
