import { addUsage, zeroUsage, type Plan, type StepRecord, type TaskId, type Usage } from "../core/index.js";
import { calibrationKey, type Calibration } from "./estimate.js";

// Calibration: what runs actually billed ÷ what the static estimate said, per model and step kind.
// Pure; run/calibration-file.ts reads and writes <repo>/.swarm/calibration.json.

/** Summed tokens of one run's measured tasks for one (model, kind). */
export interface CalibrationSample {
  tasks: number;
  /** The uncalibrated estimate of those tasks' first attempts. */
  estimated: Usage;
  /** What the endpoint billed for their successful request. */
  actual: Usage;
}

export interface CalibrationRun {
  runId: string;
  /** ISO 8601. */
  finishedAt: string;
  /** Keyed by `calibrationKey(model, kind)`. */
  byKey: Record<string, CalibrationSample>;
}

export interface CalibrationFile {
  version: 1;
  /** Oldest first; at most `MAX_CALIBRATION_RUNS`. */
  runs: CalibrationRun[];
}

/** Older runs describe older prompts, models and tokenizers; a bounded window lets the ratios follow. */
export const MAX_CALIBRATION_RUNS = 20;

export interface MeasureRunInput {
  runId: string;
  finishedAt: string;
  plan: Plan;
  /** Every journalled step of the run, prior processes' included. */
  steps: readonly StepRecord[];
  /** Estimate.perTaskUncalibrated of the run's estimate. */
  perTaskUncalibrated: Readonly<Record<TaskId, { model: string; usage: Usage }>>;
}

/**
 * One run's calibration sample:
 * - a task counts when it has a successful step of its own role on the model the estimate routed it
 *   to (failed tasks, repairs and re-routed models say nothing about the estimate's figures);
 * - its actual usage is that successful request's: the estimate prices one attempt, and retries are a
 *   different question (`swarm estimate --sample` measures them);
 * - the tasks' estimated and actual tokens are summed per (model, kind), so the ratio of sums weights
 *   large files by their size, as the bill does.
 */
export function measureRun(input: MeasureRunInput): CalibrationRun {
  const okStep = new Map<TaskId, StepRecord>();
  for (const step of input.steps) if (step.ok && step.kind !== "repair") okStep.set(step.taskId, step);
  const byKey: Record<string, CalibrationSample> = {};
  for (const task of input.plan.tasks) {
    const step = okStep.get(task.id);
    const estimated = input.perTaskUncalibrated[task.id];
    if (!step || !estimated || step.kind !== task.role || step.model !== estimated.model) continue;
    const key = calibrationKey(step.model, task.role);
    const sample = (byKey[key] ??= { tasks: 0, estimated: zeroUsage(), actual: zeroUsage() });
    sample.tasks += 1;
    sample.estimated = addUsage(sample.estimated, estimated.usage);
    sample.actual = addUsage(sample.actual, step.usage);
  }
  return { runId: input.runId, finishedAt: input.finishedAt, byKey };
}

/**
 * Adds a run to the file. A run id already there is replaced, not added: a resumed run (or a run
 * continued from its sample) measures its earlier steps again and must not count them twice.
 */
export function mergeRun(file: CalibrationFile | null, run: CalibrationRun, maxRuns = MAX_CALIBRATION_RUNS): CalibrationFile {
  if (Object.keys(run.byKey).length === 0) return file ?? { version: 1, runs: [] };
  const runs = (file?.runs ?? []).filter((r) => r.runId !== run.runId);
  runs.push(run);
  return { version: 1, runs: runs.slice(-maxRuns) };
}

/**
 * Ratios per (model, kind) over every run in the file: Σ actual ÷ Σ estimated, so a run weighs in by
 * its tasks' tokens. A component whose estimate summed to 0 has no ratio (cached input then scales like
 * input in estimatePlan).
 */
export function calibrationRatios(file: CalibrationFile | null): Calibration {
  const sums = new Map<string, { runs: number; sample: CalibrationSample }>();
  for (const run of file?.runs ?? []) {
    for (const [key, sample] of Object.entries(run.byKey)) {
      const entry = sums.get(key) ?? { runs: 0, sample: { tasks: 0, estimated: zeroUsage(), actual: zeroUsage() } };
      entry.runs += 1;
      entry.sample = {
        tasks: entry.sample.tasks + sample.tasks,
        estimated: addUsage(entry.sample.estimated, sample.estimated),
        actual: addUsage(entry.sample.actual, sample.actual),
      };
      sums.set(key, entry);
    }
  }
  const out: Record<string, Calibration[string]> = {};
  for (const [key, { runs, sample }] of sums) {
    const { estimated: e, actual: a } = sample;
    if (e.inputTokens <= 0 || e.outputTokens <= 0) continue;
    out[key] = {
      input: a.inputTokens / e.inputTokens,
      output: a.outputTokens / e.outputTokens,
      ...(e.cachedInputTokens > 0 ? { cachedInput: a.cachedInputTokens / e.cachedInputTokens } : {}),
      runs,
      tasks: sample.tasks,
    };
  }
  return out;
}

/** Reads an untrusted calibration.json value: anything malformed is dropped, never thrown. */
export function parseCalibrationFile(value: unknown): CalibrationFile | null {
  if (!isObject(value) || value.version !== 1 || !Array.isArray(value.runs)) return null;
  const runs = value.runs.filter(
    (r): r is CalibrationRun =>
      isObject(r) &&
      typeof r.runId === "string" &&
      typeof r.finishedAt === "string" &&
      isObject(r.byKey) &&
      Object.values(r.byKey).every(
        (s) => isObject(s) && typeof s.tasks === "number" && isUsage(s.estimated) && isUsage(s.actual),
      ),
  );
  return { version: 1, runs };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isUsage(v: unknown): v is Usage {
  return (
    isObject(v) &&
    [v.inputTokens, v.cachedInputTokens, v.outputTokens].every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0)
  );
}
