import { addUsage, zeroUsage, type Plan, type StepRecord, type TaskId, type Usage } from "../core/index.js";
import { calibrationKey, type Calibration, type CalibrationRatio } from "./estimate.js";
import { RETRY_CLASSES, retryClassOf, type CalibrationKind, type RetryClass } from "./overheads.js";

// Calibration: what runs actually billed ÷ what the static estimate said, per model and step kind.
// Pure; run/calibration-file.ts reads and writes <repo>/.swarm/calibration.json.

/** Summed tokens of one run's measured tasks for one (model, kind). */
export interface CalibrationSample {
  tasks: number;
  /** The uncalibrated estimate of those tasks' first attempts. */
  estimated: Usage;
  /** What the endpoint billed for their successful request. */
  actual: Usage;
  // The fields below came with issue 16; files written before lack them and still read.
  /** Tasks with any step of this kind, succeeded or not, and their uncalibrated estimate: the base of the rates below. */
  attempted?: { tasks: number; estimated: Usage };
  /** Failed paid attempts of these tasks, by class, and what they were billed. */
  retries?: Partial<Record<RetryClass, number>>;
  retryUsage?: Usage;
  /** Validation's repair steps of these tasks, and what they were billed. */
  repairs?: number;
  repairUsage?: Usage;
  /** Latency of each step of this kind, ms, at most `MAX_LATENCIES` kept. */
  latencyMs?: number[];
}

export interface CalibrationRun {
  runId: string;
  /** ISO 8601. */
  finishedAt: string;
  /** Keyed by `calibrationKey(model, kind)`. */
  byKey: Record<string, CalibrationSample>;
  /** A `swarm estimate --sample` run: it weighs in by its tasks' tokens like any run, but is named as a sample. */
  sample?: boolean;
}

export interface CalibrationFile {
  version: 1;
  /** Oldest first; at most `MAX_CALIBRATION_RUNS`. */
  runs: CalibrationRun[];
}

/** Older runs describe older prompts, models and tokenizers; a bounded window lets the ratios follow. */
export const MAX_CALIBRATION_RUNS = 20;
const MAX_LATENCIES = 64;

export interface MeasureRunInput {
  runId: string;
  finishedAt: string;
  plan: Plan;
  /** Every journalled step of the run, prior processes' included. */
  steps: readonly StepRecord[];
  /** Estimate.perTaskUncalibrated of the run's estimate. */
  perTaskUncalibrated: Readonly<Record<TaskId, { model: string; usage: Usage; kind?: CalibrationKind }>>;
  /** The run was `swarm estimate --sample`. */
  sample?: boolean;
}

/**
 * One run's calibration sample, from every step:
 * - first attempts: a task counts when it has a successful step of its own role on the model the
 *   estimate routed it to; estimated and actual tokens are summed per (model, kind), so the ratio of
 *   sums weights large files by their size, as the bill does. A task estimated as SEARCH/REPLACE edits
 *   counts under kind "edit";
 * - retries: every failed paid attempt of a task's own kind, by class, with its bill;
 * - repairs: validation's repair steps, counted against the repaired task's kind;
 * - latency: every step's, per kind.
 * Rates are taken over all tasks that had a step (failed ones too): a rate from successes only would
 * leave out the retries that failed tasks paid for.
 */
export function measureRun(input: MeasureRunInput): CalibrationRun {
  const stepsOf = new Map<TaskId, StepRecord[]>();
  for (const step of input.steps) {
    const list = stepsOf.get(step.taskId);
    if (list) list.push(step);
    else stepsOf.set(step.taskId, [step]);
  }
  const byKey: Record<string, CalibrationSample> = {};
  const sampleFor = (key: string) => (byKey[key] ??= { tasks: 0, estimated: zeroUsage(), actual: zeroUsage() });
  for (const task of input.plan.tasks) {
    const estimated = input.perTaskUncalibrated[task.id];
    const steps = stepsOf.get(task.id) ?? [];
    if (!estimated || steps.length === 0) continue;
    const key = calibrationKey(estimated.model, estimated.kind ?? task.role);
    const own = steps.filter((s) => s.kind === task.role && s.model === estimated.model);
    if (own.length === 0) continue;
    const sample = sampleFor(key);
    const attempted = (sample.attempted ??= { tasks: 0, estimated: zeroUsage() });
    attempted.tasks += 1;
    attempted.estimated = addUsage(attempted.estimated, estimated.usage);
    const ok = own.find((s) => s.ok);
    if (ok) {
      sample.tasks += 1;
      sample.estimated = addUsage(sample.estimated, estimated.usage);
      sample.actual = addUsage(sample.actual, ok.usage);
    }
    for (const step of own) {
      pushLatency(sample, step.latencyMs);
      const cls = step.ok ? null : retryClassOf(step.error?.code);
      if (cls === null) continue;
      (sample.retries ??= {})[cls] = (sample.retries[cls] ?? 0) + 1;
      sample.retryUsage = addUsage(sample.retryUsage ?? zeroUsage(), step.usage);
    }
    for (const step of steps.filter((s) => s.kind === "repair")) {
      sample.repairs = (sample.repairs ?? 0) + 1;
      sample.repairUsage = addUsage(sample.repairUsage ?? zeroUsage(), step.usage);
      pushLatency(sampleFor(calibrationKey(step.model, "repair")), step.latencyMs);
    }
  }
  for (const [key, sample] of Object.entries(byKey)) if (!sample.attempted && sample.tasks === 0 && !sample.latencyMs?.length) delete byKey[key];
  return { runId: input.runId, finishedAt: input.finishedAt, byKey, ...(input.sample ? { sample: true } : {}) };
}

function pushLatency(sample: CalibrationSample, ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0) return;
  const list = (sample.latencyMs ??= []);
  if (list.length < MAX_LATENCIES) list.push(Math.round(ms));
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
 * its tasks' tokens (a sample of 4 tasks by its 4 tasks). A component whose estimate summed to 0 has
 * no ratio (cached input then scales like input in estimatePlan). Retry and repair overheads are the
 * billed tokens of those steps ÷ the estimate of every attempted task, per component.
 */
export function calibrationRatios(file: CalibrationFile | null): Calibration {
  interface Sum { runs: number; sampleRuns: number; sampleTasks: number; s: Required<Omit<CalibrationSample, "attempted">> & { attempted: { tasks: number; estimated: Usage }; measuredOverheads: boolean } }
  const sums = new Map<string, Sum>();
  for (const run of file?.runs ?? []) {
    for (const [key, sample] of Object.entries(run.byKey)) {
      const entry: Sum = sums.get(key) ?? {
        runs: 0, sampleRuns: 0, sampleTasks: 0,
        s: { tasks: 0, estimated: zeroUsage(), actual: zeroUsage(), attempted: { tasks: 0, estimated: zeroUsage() }, retries: {}, retryUsage: zeroUsage(), repairs: 0, repairUsage: zeroUsage(), latencyMs: [], measuredOverheads: false },
      };
      if (run.sample) {
        entry.sampleRuns += 1;
        entry.sampleTasks += sample.tasks;
      } else entry.runs += 1;
      const s = entry.s;
      s.tasks += sample.tasks;
      s.estimated = addUsage(s.estimated, sample.estimated);
      s.actual = addUsage(s.actual, sample.actual);
      if (sample.attempted) {
        s.measuredOverheads = true;
        s.attempted = { tasks: s.attempted.tasks + sample.attempted.tasks, estimated: addUsage(s.attempted.estimated, sample.attempted.estimated) };
        for (const cls of RETRY_CLASSES) if (sample.retries?.[cls]) s.retries[cls] = (s.retries[cls] ?? 0) + sample.retries[cls]!;
        s.retryUsage = addUsage(s.retryUsage, sample.retryUsage ?? zeroUsage());
        s.repairs += sample.repairs ?? 0;
        s.repairUsage = addUsage(s.repairUsage, sample.repairUsage ?? zeroUsage());
      }
      s.latencyMs.push(...(sample.latencyMs ?? []));
      sums.set(key, entry);
    }
  }
  const out: Record<string, CalibrationRatio> = {};
  for (const [key, { runs, sampleRuns, sampleTasks, s }] of sums) {
    const latency = s.latencyMs.length > 0 ? { latencyMs: percentiles(s.latencyMs) } : {};
    const { estimated: e, actual: a } = s;
    if (e.inputTokens <= 0 || e.outputTokens <= 0) {
      // Repair keys have no estimate of their own: only their latency is measured.
      if (s.latencyMs.length > 0) out[key] = { input: NaN, output: NaN, runs, ...latency };
      continue;
    }
    const base = s.attempted.estimated;
    const per = (u: Usage) => ({ input: u.inputTokens / base.inputTokens, output: u.outputTokens / Math.max(1, base.outputTokens), ...(base.cachedInputTokens > 0 ? { cachedInput: u.cachedInputTokens / base.cachedInputTokens } : {}) });
    out[key] = {
      input: a.inputTokens / e.inputTokens,
      output: a.outputTokens / e.outputTokens,
      ...(e.cachedInputTokens > 0 ? { cachedInput: a.cachedInputTokens / e.cachedInputTokens } : {}),
      runs,
      tasks: s.tasks,
      ...(sampleRuns > 0 ? { sampleRuns, sampleTasks } : {}),
      ...(s.measuredOverheads && base.inputTokens > 0
        ? {
            retries: { perTask: Object.fromEntries(RETRY_CLASSES.map((c) => [c, (s.retries[c] ?? 0) / s.attempted.tasks])) as Record<RetryClass, number>, usage: per(s.retryUsage) },
            repairs: { perTask: s.repairs / s.attempted.tasks, usage: per(s.repairUsage) },
          }
        : {}),
      ...latency,
    };
  }
  return out;
}

/** Median and 90th percentile (nearest rank). */
function percentiles(values: readonly number[]): { p50: number; p90: number } {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { p50: at(0.5), p90: at(0.9) };
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
      (r.sample === undefined || typeof r.sample === "boolean") &&
      Object.values(r.byKey).every(
        (s) =>
          isObject(s) &&
          typeof s.tasks === "number" &&
          isUsage(s.estimated) &&
          isUsage(s.actual) &&
          (s.attempted === undefined || (isObject(s.attempted) && typeof s.attempted.tasks === "number" && isUsage(s.attempted.estimated))) &&
          (s.retryUsage === undefined || isUsage(s.retryUsage)) &&
          (s.repairUsage === undefined || isUsage(s.repairUsage)) &&
          (s.retries === undefined || (isObject(s.retries) && Object.values(s.retries).every((n) => typeof n === "number" && n >= 0))) &&
          (s.repairs === undefined || typeof s.repairs === "number") &&
          (s.latencyMs === undefined || (Array.isArray(s.latencyMs) && s.latencyMs.every((n) => typeof n === "number"))),
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
