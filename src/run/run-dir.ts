import { randomBytes } from "node:crypto";
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { ensureSwarmExcluded } from "../git/index.js";
import { ensureDir } from "../util/index.js";

/** Files of one run, all inside `<repo>/.swarm/runs/<run-id>/`. */
export interface RunDirPaths {
  dir: string;
  plan: string;
  journal: string;
  reportJson: string;
  reportMd: string;
  /** Run metadata (config digest, repo state, timings). */
  meta: string;
}

/** `YYYYMMDD-HHMMSS-xxxx`: sortable by start time, and unique enough for runs started the same second. */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * A new run id from `now` in UTC (so ids sort the same on every machine and across DST changes)
 * plus four random hex digits.
 */
export function newRunId(now: Date = new Date(), randomHex: () => string = () => randomBytes(2).toString("hex")): string {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${date}-${time}-${randomHex()}`;
}

export function runsRoot(repoTop: string): string {
  return path.join(repoTop, ".swarm", "runs");
}

/** Pure: where a run's files go. */
export function runDirPaths(repoTop: string, runId: string): RunDirPaths {
  if (!RUN_ID_PATTERN.test(runId)) throw new TypeError(`run id: expected YYYYMMDD-HHMMSS-xxxx, got \`${runId}\``);
  const dir = path.join(runsRoot(repoTop), runId);
  return {
    dir,
    plan: path.join(dir, "plan.json"),
    journal: path.join(dir, "journal.jsonl"),
    reportJson: path.join(dir, "report.json"),
    reportMd: path.join(dir, "report.md"),
    meta: path.join(dir, "run.json"),
  };
}

/**
 * `mkdir -p` the run directory (idempotent, so `--resume` can call it too) and make sure `.swarm/`
 * is listed in the repo's `info/exclude`, so the run never shows up in `git status`.
 */
export async function createRunDir(repoTop: string, runId: string): Promise<RunDirPaths> {
  const paths = runDirPaths(repoTop, runId);
  await ensureSwarmExcluded(repoTop);
  await ensureDir(paths.dir);
  return paths;
}

export interface RunListing {
  id: string;
  paths: RunDirPaths;
  hasPlan: boolean;
  hasJournal: boolean;
  hasReport: boolean;
}

/** Runs found under `.swarm/runs/`, oldest first. Directories that are not run ids are ignored. */
export async function listRuns(repoTop: string): Promise<RunListing[]> {
  const entries = await readdir(runsRoot(repoTop), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const ids = entries
    .filter((e) => e.isDirectory() && RUN_ID_PATTERN.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    ids.map(async (id) => {
      const paths = runDirPaths(repoTop, id);
      const [hasPlan, hasJournal, hasReport] = await Promise.all([
        exists(paths.plan),
        exists(paths.journal),
        exists(paths.reportJson),
      ]);
      return { id, paths, hasPlan, hasJournal, hasReport };
    }),
  );
}

/**
 * The newest run id, or `null` when there is none. Ids started in the same second order by their
 * random suffix, which is arbitrary; that needs two runs in one repo within one second.
 */
export async function latestRunId(repoTop: string, opts: { withReport?: boolean } = {}): Promise<string | null> {
  const runs = await listRuns(repoTop);
  // `swarm report` wants the latest finished run, not a sample or a run still going.
  return (opts.withReport ? runs.filter((r) => r.hasReport) : runs).at(-1)?.id ?? null;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
