import type { StepErrorCode, StepRecord } from "../core/index.js";
import type { SummaryMetrics } from "../events/index.js";
import type { Distribution, ReportTask, RunMetrics, SlowOutlier, TokenOutlier } from "./types.js";

const COMPLETION_TARGET = 0.95;
const TOKEN_OUTLIER_FACTOR = 3;
const SLOW_OUTLIER_FACTOR = 3;

/**
 * Nearest-rank percentile: the smallest value such that at least p % of the values are ≤ it,
 * i.e. sorted[ceil(p/100 × n) − 1]. It always returns an observed value (no interpolation), so
 * "p95 latency 20.1 s" is a request that really took 20.1 s. With fewer than 20 values p95 is the
 * maximum. Returns 0 for an empty list.
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sortedAscending[Math.min(rank, n) - 1];
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
  };
}

export type MetricTask = Pick<
  ReportTask,
  "id" | "role" | "file" | "status" | "attempts" | "inputTokens" | "outputTokens" | "wallMs"
>;

export type MetricStep = Pick<StepRecord, "taskId" | "kind" | "ok" | "error" | "status" | "latencyMs" | "format">;

/**
 * - completion rate over all planned tasks, flagged below 95 %
 * - tokens and wall time per agent (a task that sent at least one request), by role, with outliers
 * - request latency, retries and failed steps by cause, 429 count
 */
export function computeMetrics(input: { tasks: readonly MetricTask[]; steps: readonly MetricStep[] }): RunMetrics {
  const { tasks, steps } = input;
  const succeeded = tasks.filter((t) => t.status === "succeeded").length;
  const rate = tasks.length === 0 ? null : succeeded / tasks.length;
  const agents = tasks.filter((t) => t.attempts > 0);

  return {
    completion: {
      succeeded,
      total: tasks.length,
      rate,
      target: COMPLETION_TARGET,
      isBelowTarget: rate !== null && rate < COMPLETION_TARGET,
    },
    tokensPerAgent: tokenMetrics(agents),
    wallMs: wallMetrics(agents),
    stepLatencyMs: latencyMetrics(steps),
    ...failureMetrics(steps),
    editAnswers: editMetrics(steps),
    thresholds: {
      completionTarget: COMPLETION_TARGET,
      tokenOutlierFactor: TOKEN_OUTLIER_FACTOR,
      slowOutlierFactor: SLOW_OUTLIER_FACTOR,
    },
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function tokenMetrics(agents: readonly MetricTask[]): RunMetrics["tokensPerAgent"] {
  const byRole: Record<string, Distribution> = {};
  const outliers: TokenOutlier[] = [];
  for (const [role, group] of groupBy(agents, (t) => t.role)) {
    const tokensOf = (t: MetricTask) => t.inputTokens + t.outputTokens;
    const dist = distribution(group.map(tokensOf));
    byRole[role] = dist;
    if (dist.p50 === 0) continue;
    for (const task of group) {
      const tokens = tokensOf(task);
      if (tokens > TOKEN_OUTLIER_FACTOR * dist.p50) {
        outliers.push({ taskId: task.id, role: task.role, file: task.file, tokens, roleMedian: dist.p50, ratio: tokens / dist.p50 });
      }
    }
  }
  outliers.sort((a, b) => b.ratio - a.ratio || a.taskId.localeCompare(b.taskId));
  return { byRole, outliers };
}

function wallMetrics(agents: readonly MetricTask[]): RunMetrics["wallMs"] {
  const byRole: Record<string, Distribution> = {};
  const slowOutliers: SlowOutlier[] = [];
  for (const [role, group] of groupBy(agents, (t) => t.role)) {
    const dist = distribution(group.map((t) => t.wallMs));
    byRole[role] = dist;
    for (const task of group) {
      // Both conditions: 3 × p50 alone flags half a skewed role; > p95 alone always flags the top 5 %.
      if (task.wallMs > SLOW_OUTLIER_FACTOR * dist.p50 && task.wallMs > dist.p95) {
        slowOutliers.push({ taskId: task.id, role: task.role, file: task.file, wallMs: task.wallMs, roleP50: dist.p50, roleP95: dist.p95 });
      }
    }
  }
  slowOutliers.sort((a, b) => b.wallMs - a.wallMs || a.taskId.localeCompare(b.taskId));
  return { byRole, slowOutliers };
}

function latencyMetrics(steps: readonly MetricStep[]): RunMetrics["stepLatencyMs"] {
  const byKind: Record<string, Distribution> = {};
  for (const [kind, group] of groupBy(steps, (s) => s.kind)) {
    byKind[kind] = distribution(group.map((s) => s.latencyMs));
  }
  return { ...distribution(steps.map((s) => s.latencyMs)), byKind };
}

function failureMetrics(steps: readonly MetricStep[]): Pick<RunMetrics, "retries" | "failedSteps" | "rateLimited"> {
  const retries = { total: 0, byCause: {} as Partial<Record<StepErrorCode, number>> };
  const failedSteps = { total: 0, byCause: {} as Partial<Record<StepErrorCode, number>> };
  let rateLimited = 0;
  // Steps of one task run one after another, so a failed step with a later step of the same task
  // (in journal order) was retried; the last failed step of a task is the task's final error.
  const lastIndexOfTask = new Map<string, number>();
  steps.forEach((s, i) => lastIndexOfTask.set(s.taskId, i));
  steps.forEach((step, i) => {
    if (step.status === 429 || step.error?.code === "rate-limited") rateLimited++;
    if (step.ok) return;
    const cause = step.error?.code;
    failedSteps.total++;
    if (cause) failedSteps.byCause[cause] = (failedSteps.byCause[cause] ?? 0) + 1;
    if ((lastIndexOfTask.get(step.taskId) ?? i) > i) {
      retries.total++;
      if (cause) retries.byCause[cause] = (retries.byCause[cause] ?? 0) + 1;
    }
  });
  return { retries, failedSteps, rateLimited };
}

function editMetrics(steps: readonly MetricStep[]): RunMetrics["editAnswers"] {
  const edits = steps.filter((s) => s.format === "search-replace");
  const applied = edits.filter((s) => s.ok).length;
  const failed = edits.filter((s) => s.error?.code === "edit-failed").length;
  return { applied, failed, rate: applied + failed === 0 ? null : failed / (applied + failed) };
}

/** Outliers of each kind carried into the final summary; report.json lists them all. */
const SUMMARY_OUTLIERS = 3;

/** The brief form of RunMetrics that travels in RunSummary (run.finished, the final summary, CI logs). */
export function summarizeMetrics(m: RunMetrics, maxOutliers = SUMMARY_OUTLIERS): SummaryMetrics {
  return {
    completion: { ...m.completion },
    wallMsByRole: { ...m.wallMs.byRole },
    tokensPerAgentByRole: { ...m.tokensPerAgent.byRole },
    tokenOutliers: {
      count: m.tokensPerAgent.outliers.length,
      factor: m.thresholds.tokenOutlierFactor,
      top: m.tokensPerAgent.outliers
        .slice(0, maxOutliers)
        .map((o) => ({ taskId: o.taskId, file: o.file, role: o.role, tokens: o.tokens, ratio: o.ratio })),
    },
    slowOutliers: {
      count: m.wallMs.slowOutliers.length,
      factor: m.thresholds.slowOutlierFactor,
      top: m.wallMs.slowOutliers
        .slice(0, maxOutliers)
        .map((o) => ({ taskId: o.taskId, file: o.file, role: o.role, wallMs: o.wallMs, roleP50: o.roleP50 })),
    },
    retries: { total: m.retries.total, byCause: { ...m.retries.byCause } },
    rateLimited: m.rateLimited,
    editAnswers: { ...m.editAnswers },
  };
}
