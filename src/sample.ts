import path from "node:path";
import type { ResolvedConfig } from "./config/schema.js";
import type { StepRecord, Task } from "./core/types.js";
import { EventBus, type Subscriber } from "./events/bus.js";
import { recordCalibration } from "./estimate/calibration-file.js";
import { estimatePlan } from "./estimate/estimate.js";
import { extrapolateSample, samplePlan, selectSample, type SampleExtrapolation, type SampleSelection } from "./estimate/sample.js";
import { executePlan } from "./execute/engine.js";
import { Journal } from "./execute/journal.js";
import { createRunDir, newRunId, type RunDirPaths } from "./execute/run-dir.js";
import { checkRepoState } from "./git/repo-state.js";
import type { ChatProvider } from "./llm/provider.js";
import { messagesFor, preflight, prepareRun, stepRequest, type PrepareOptions, type Prepared, type RunMeta } from "./pipeline.js";
import { writeFileAtomic } from "./util/fs.js";

export interface SampleOptions extends PrepareOptions {
  /** How many representative tasks to run (their prerequisites come on top). */
  size: number;
  providerFor(config: ResolvedConfig): ChatProvider;
  branch?: string;
  subscribers?: Subscriber[];
  drain: AbortSignal;
  abort: AbortSignal;
  random?: () => number;
}

export interface SampleResult {
  runId: string;
  paths: RunDirPaths;
  /** `<run dir>/sample.json`: selection, bills and extrapolation, for later reading. */
  samplePath: string;
  prepared: Prepared;
  selection: SampleSelection;
  extrapolation: SampleExtrapolation;
  steps: StepRecord[];
  stoppedBy: string;
}

/** run.json of a sample: a RunMeta (so `swarm run --from-sample` continues it like a resume) plus what was sampled. */
export interface SampleMeta extends RunMeta {
  sample: { size: number; taskIds: string[] };
}

/**
 * `swarm estimate --sample N`: a few tasks for real, the rest extrapolated.
 * - prepare as a run would (same plan, messages, routing), pick N tasks over roles and sizes;
 * - run them through the engine into a run directory laid out as runSwarm lays it out (plan.json
 *   with the whole plan, run.json, journal.jsonl), so `swarm run --from-sample <id>` resumes it and
 *   no sampled request is sent twice; no branch is written (the continued run writes it);
 * - extrapolate per role from the bills against the static estimate, and save the calibration.
 */
export async function sampleRun(options: SampleOptions): Promise<SampleResult> {
  const top = (await checkRepoState(path.resolve(options.repo), {})).top;
  const runId = newRunId();
  const branch = options.branch ?? `swarm/${runId}`;
  const prepared = await prepareRun(options, branch);
  const { config, plan, instruction } = prepared;
  const selection = selectSample(plan, options.size);
  const subPlan = samplePlan(plan, selection);

  const provider = options.providerFor(config);
  await preflight(provider, config);

  const paths = await createRunDir(top, runId);
  await writeFileAtomic(paths.plan, JSON.stringify(plan, null, 2) + "\n");
  const meta: SampleMeta = {
    runId,
    branch,
    headSha: prepared.repo.headSha,
    instruction,
    startedAt: new Date().toISOString(),
    options: { configPath: options.configPath, overrides: options.overrides },
    sample: { size: options.size, taskIds: selection.taskIds },
  };
  await writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2) + "\n");

  const bus = new EventBus(runId);
  for (const s of options.subscribers ?? []) bus.subscribe(s);
  const journal = await Journal.open(paths.journal);
  const original = (task: Task) => prepared.files.get(task.output)?.content ?? prepared.existingOutputs.get(task.output) ?? "";
  let executed;
  try {
    executed = await executePlan({
      plan: subPlan,
      provider,
      bus,
      journal,
      prior: [],
      settings: config,
      // The same requests runSwarm sends, so the continued run can take these answers as its own.
      requestFor: (task, results) => stepRequest(prepared, task, results),
      costUSD: (model, usage) => prepared.pricing.costUSD(model, usage),
      isChange: (task, content) => normalize(content) !== normalize(original(task)),
      drain: options.drain,
      abort: options.abort,
      random: options.random,
    });
  } finally {
    await journal.close();
  }

  // The sample's own static estimate: its prefix-cache pattern (the first request of a role pays the
  // prefix) is the one its bills show, which the whole plan's estimate does not have.
  const sampleEstimate = estimatePlan({
    plan: subPlan,
    config,
    pricing: prepared.pricing,
    messagesFor: (task) => messagesFor(task, { ...prepared, results: new Map() }),
  });
  const extrapolation = extrapolateSample({
    plan,
    planUsage: prepared.estimate.perTaskUncalibrated ?? {},
    sampleUsage: sampleEstimate.perTaskUncalibrated ?? {},
    steps: executed.steps,
    pricing: prepared.pricing,
  });
  const samplePath = path.join(paths.dir, "sample.json");
  await writeFileAtomic(samplePath, JSON.stringify({ runId, selection, stoppedBy: executed.stoppedBy, spentUSD: executed.spentUSD, extrapolation }, null, 2) + "\n");
  const warning = await recordCalibration(top, {
    runId,
    finishedAt: new Date().toISOString(),
    plan: subPlan,
    steps: executed.steps,
    perTaskUncalibrated: sampleEstimate.perTaskUncalibrated ?? {},
  });
  if (warning) bus.emit({ type: "run.warning", message: warning });
  return { runId, paths, samplePath, prepared, selection, extrapolation, steps: executed.steps, stoppedBy: executed.stoppedBy };
}

const normalize = (s: string) => s.replace(/\r\n/g, "\n").replace(/\n+$/, "");
