import type { TaskId } from "../core/index.js";

// The live projection (issue 16): final cost and time from the run's own observed rates, so that a run
// whose retries or answers run over the estimate says so while it runs, not in the report.

export interface ProjectionInput {
  /** Each task's first-attempt estimate (Estimate.perTaskUSD): what the observed rate scales. */
  perTaskUSD: Readonly<Record<TaskId, number>>;
  /** Tasks decided so far (succeeded or failed). */
  done: readonly TaskId[];
  tasks: number;
  /** What the endpoint billed so far, retries included. */
  spentUSD: number;
  /** Time since the first request. */
  elapsedMs: number;
  /** Expected time after the last request: validation (with repairs) and commit (Estimate.timeMs). */
  afterMs: number;
  /** Expected cost after the last request: validation's repair steps (Estimate.lines.repairs). */
  afterUSD: number;
}

export interface Projection {
  /** Projected final cost: spent, plus the remaining tasks at the observed spent ÷ estimated rate, plus repairs. */
  costUSD: number;
  /** Projected time until the run ends, validation and commit included. */
  etaMs: number;
  /** Observed spent ÷ estimated of the decided tasks (1 before any is decided). */
  costRate: number;
}

export function projectRun(input: ProjectionInput): Projection {
  const doneSet = new Set(input.done);
  let doneEstimate = 0;
  let remainingEstimate = 0;
  for (const [id, usd] of Object.entries(input.perTaskUSD)) {
    if (doneSet.has(id)) doneEstimate += usd;
    else remainingEstimate += usd;
  }
  const costRate = doneEstimate > 0 && input.done.length > 0 ? input.spentUSD / doneEstimate : 1;
  const remainingTasks = Math.max(0, input.tasks - input.done.length);
  const perTaskMs = input.done.length > 0 ? input.elapsedMs / input.done.length : 0;
  // Before the first task is decided there is no observed rate: the estimate stands.
  const requestsLeftMs = input.done.length > 0 ? perTaskMs * remainingTasks : Number.NaN;
  return {
    costUSD: input.spentUSD + remainingEstimate * costRate + input.afterUSD * costRate,
    etaMs: Number.isNaN(requestsLeftMs) ? Number.NaN : Math.round(requestsLeftMs + input.afterMs),
    costRate,
  };
}

/** Whether a projection is due: at each tenth of the tasks decided, so output stays a few lines per run. */
export function isProjectionDue(doneBefore: number, doneNow: number, tasks: number): boolean {
  if (tasks <= 0 || doneNow <= doneBefore) return false;
  return Math.floor((doneNow * 10) / tasks) > Math.floor((doneBefore * 10) / tasks) || doneNow === tasks;
}
