import path from "node:path";
import type { ResolvedConfig } from "./config/index.js";
import { SwarmError, SwarmErrorCode, type Plan, type StepRecord } from "./core/index.js";
import { EventBus, type Subscriber } from "./events/index.js";
import { checkRepoState, ownBranchTip, pruneStaleWorktrees } from "./git/index.js";
import type { ChatProvider } from "./llm/index.js";
import { prepareRun, type PrepareOptions, type Prepared } from "./prepare/index.js";
import { diskFullAt } from "./util/index.js";
import { assertSameHead, newRunId, openRunDir, readRunMeta, recordCalibration, resumeOverrides, runDirPaths, writtenBranchTip, type RunMeta, type SampleMeta } from "./run/index.js";

// The run's bookends that pipeline.ts composes: opening a run (new or resumed), its directory, calibration after it.

export interface RunOptions extends PrepareOptions {
  /** Builds the provider once the config is known; throws a SwarmError when the API key is missing. */
  providerFor(config: ResolvedConfig): ChatProvider;
  branch?: string;
  /** A shard run (`--shard k/n`) writes its result to this file for `swarm merge`. */
  bundleOut?: string;
  /** Resume this run id from its journal instead of starting a new run. */
  resume?: string;
  subscribers: Subscriber[];
  drain: AbortSignal;
  abort: AbortSignal;
  random?: () => number;
}

export type OpenRun = Awaited<ReturnType<typeof openRun>>;

/** The steps both runs share before preflight: the repo, the run id and branch (a resume's from run.json), the prepared plan, provider and bus. */
export async function openRun(options: RunOptions) {
  const top = (await checkRepoState(path.resolve(options.repo), {})).top;
  // A killed run's temporary worktrees would otherwise stay registered in the repository for good.
  await pruneStaleWorktrees(top);
  const meta: RunMeta | null = options.resume ? await readRunMeta(top, options.resume) : null;
  const runId = meta?.runId ?? newRunId();
  const branch = meta?.branch ?? options.branch ?? `swarm/${runId}`;
  const paths = runDirPaths(top, runId);
  // A drained run wrote its branch already; its resume replaces it (only while it is as that run left it).
  const ownTip = meta ? await ownBranchTip(top, branch, await writtenBranchTip(paths, branch)) : null;
  // A resume keeps the run's plan and instruction; only the endpoint flags it is given apply on top.
  const resumed = meta ? resumeOverrides(meta, options.overrides) : null;
  // Subscribed before the scan, so a terminal shows what is happening from the first 100 ms (issue 17).
  const bus = new EventBus(runId);
  for (const s of options.subscribers) bus.subscribe(s);
  bus.emit({ type: "run.phase", phase: "scanning", elapsedMs: Math.round(performance.now()) });
  const phases = phaseHooks(bus);
  const prepared = await prepareRun({ ...(meta ? { ...options, ...meta.options, overrides: resumed!.overrides, needsInstruction: true } : options), ...phases }, ownTip ? undefined : branch);
  if (meta) assertSameHead(meta, prepared.repo.headSha);
  return { top, meta, runId, branch, paths, ownTip, prepared, provider: options.providerFor(prepared.config), bus, resumeFlags: resumed?.given ?? {}, bundleOut: meta?.options.bundleOut ?? options.bundleOut };
}

/**
 * run.phase for the graph and the estimate. The estimate holds the event loop (it counts every prompt's tokens), so
 * its phase is announced again from its progress calls, at most 4 times a second: the dashboard draws on it and its
 * clock keeps moving (issue 17).
 */
function phaseHooks(bus: EventBus): Pick<PrepareOptions, "onPhase" | "onEstimateProgress"> {
  let estimating: { count: number; at: number } | null = null;
  const emit = (phase: "graph" | "estimating", count: number) => bus.emit({ type: "run.phase", phase, count, elapsedMs: Math.round(performance.now()) });
  return {
    onPhase: (phase, count) => {
      if (phase === "estimating") estimating = { count, at: performance.now() };
      emit(phase, count);
    },
    onEstimateProgress: () => {
      if (!estimating || performance.now() - estimating.at < 250) return;
      estimating.at = performance.now();
      emit("estimating", estimating.count);
    },
  };
}

/** A new run's directory: the whole plan and run.json (a sample's names what it sampled). */
export async function startRunDir(run: OpenRun, options: PrepareOptions, sample?: SampleMeta["sample"]) {
  // A shard's k/n and bundle file go into run.json too: its resume is the same shard.
  const shard = options.shard ? { shard: options.shard, ...(run.bundleOut ? { bundleOut: path.resolve(run.bundleOut) } : {}) } : {};
  const meta: RunMeta = { runId: run.runId, branch: run.branch, headSha: run.prepared.repo.headSha, instruction: run.prepared.instruction, startedAt: new Date().toISOString(), options: { configPath: options.configPath, overrides: options.overrides, ...shard } };
  await openRunDir(run.top, run.prepared.plan, sample ? { ...meta, sample } : meta);
  return meta;
}

/**
 * A full disk is the user's to fix, not a bug: every step journaled so far is on disk (each is fsync'd
 * before it counts), so freeing space and resuming loses nothing.
 */
export function diskFullError(error: unknown, run: OpenRun): SwarmError | null {
  if (error instanceof SwarmError) return null;
  const full = diskFullAt(error);
  if (!full) return null;
  return new SwarmError(SwarmErrorCode.DiskFull, `disk full at ${full.path ?? run.top}; free space, then \`swarm resume ${run.runId}\``, { cause: error });
}

/** Calibration is saved after the report: a failure to save it is a warning, never the run's failure. */
export async function calibrate(run: OpenRun, plan: Plan, steps: StepRecord[], perTaskUncalibrated: Prepared["estimate"]["perTaskUncalibrated"], sample = false) {
  const warning = await recordCalibration(run.top, { runId: run.runId, finishedAt: new Date().toISOString(), plan, steps, perTaskUncalibrated: perTaskUncalibrated ?? {}, sample });
  if (warning) run.bus.emit({ type: "run.warning", message: warning });
}

