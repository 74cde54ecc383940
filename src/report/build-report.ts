import type { ErrorInfo, Plan, StepRecord, StoppedBy, Task, TaskResult, TaskStatus } from "../core/index.js";
import type { RunSummary, TaskCounts } from "../events/index.js";
import type { ReportValidation } from "../validate/index.js";
import { computeMetrics, summarizeMetrics } from "./metrics.js";
import type {
  EstimateVsActualRow,
  MissingEntry,
  Report,
  ReportCodemod,
  ReportCommit,
  ReportEstimate,
  ReportTask,
  TokenTotals,
  TokensAndCost,
} from "./types.js";

/** One line of an estimate, as estimate/ produces it (structurally; report/ does not import estimate/). */
export interface EstimateLine {
  tasks: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUSD: number;
}

export interface EstimateLike {
  byRole: Record<string, EstimateLine>;
  total: EstimateLine;
  calibratedFromRuns?: number;
}

export interface BuildReportInput {
  runId: string;
  repo: string;
  branch: string | null;
  branchError?: string;
  baseSha: string;
  startedAt: Date | string;
  durationMs: number;
  stoppedBy: StoppedBy;
  budget?: "steps" | "cost" | null;
  instruction: string;
  models: string[];
  plan: Plan;
  results: TaskResult[];
  /** Every journalled step of the run (resumed runs: all processes). Token totals come from here. */
  steps: StepRecord[];
  estimate: EstimateLike | null;
  /** What the run cost in total (authoritative; the engine priced each step). */
  costUSD: number;
  /**
   * Prices one step, so the estimate-vs-actual table can show cost per role. Without it the per-role
   * actual cost (and its error %) is null; the total row always has one.
   */
  stepCostUSD?: (step: StepRecord) => number;
  commits: ReportCommit[];
  validation?: ReportValidation | null;
  resumeHint?: string;
  codemod?: ReportCodemod;
}

/**
 * - one report task per planned task: its result, or (when it never ran) tokens from its steps and
 *   the reason it did not run (a failed prerequisite, else what stopped the run)
 * - tasks reverted by validation count as failed: their output is not on the branch
 * - tokens are summed over steps, not results, so answered-but-failed requests are included
 * - counts, estimate vs actual, metrics and the "missing" list are derived from the above
 */
export function buildReport(input: BuildReportInput): Report {
  const tasks = buildTasks(input);
  const counts = countTasks(input.plan.roles, tasks);
  const tokens = sumTokens(input.steps);
  const estimate = input.estimate ? toReportEstimate(input.estimate) : null;
  const isIncomplete = counts.succeeded < counts.total;

  return {
    schemaVersion: 1,
    runId: input.runId,
    repo: input.repo,
    branch: input.branch,
    ...(input.branchError ? { branchError: input.branchError } : {}),
    baseSha: input.baseSha,
    startedAt: toIso(input.startedAt),
    durationMs: input.durationMs,
    stoppedBy: input.stoppedBy,
    budget: input.stoppedBy === "budget" ? (input.budget ?? null) : null,
    instruction: input.instruction,
    models: unique([...input.models, ...input.steps.map((s) => s.model)]),
    roles: [...input.plan.roles],
    counts,
    tokens,
    cacheHitShare: tokens.input === 0 ? null : tokens.cachedInput / tokens.input,
    costUSD: input.costUSD,
    estimate,
    estimateVsActual: estimate ? compareEstimate(input, estimate, tokens) : null,
    skips: input.plan.skips.map((s) => ({ ...s })),
    tasks,
    metrics: computeMetrics({ tasks, steps: input.steps }),
    validation: input.validation ? copyValidation(input.validation) : null,
    commits: input.commits.map((c) => ({ role: c.role, sha: c.sha, files: [...c.files] })),
    missing: listMissing(tasks),
    resumeHint: isIncomplete && input.resumeHint ? input.resumeHint : null,
    ...(input.codemod ? { codemod: input.codemod } : {}),
  };
}

function copyValidation(v: ReportValidation): ReportValidation {
  const out: ReportValidation = { problems: [...v.problems], repairs: [...v.repairs], reverts: [...v.reverts] };
  if (v.remaining && v.remaining.length > 0) out.remaining = [...v.remaining];
  if (v.typeCheck !== undefined) out.typeCheck = v.typeCheck;
  if (v.gates && v.gates.length > 0) out.gates = v.gates.map((g) => ({ ...g }));
  if (v.notes && v.notes.length > 0) out.notes = [...v.notes];
  return out;
}

/** Where the run's files are; `dir` is accepted too, as run/run-dir's RunDirPaths names it. */
export type SummaryPaths = { reportJson: string; reportMd: string } & ({ runDir: string } | { dir: string });

/** The run's final word, derived from the report so the two never disagree. */
export function summaryFromReport(report: Report, paths: SummaryPaths, exitCode: number): RunSummary {
  const summary: RunSummary = {
    runId: report.runId,
    repo: report.repo,
    branch: report.branch,
    runDir: "runDir" in paths ? paths.runDir : paths.dir,
    reportJson: paths.reportJson,
    reportMd: paths.reportMd,
    stoppedBy: report.stoppedBy,
    counts: report.counts,
    tokens: {
      inputTokens: report.tokens.input,
      cachedInputTokens: report.tokens.cachedInput,
      outputTokens: report.tokens.output,
    },
    costUSD: report.costUSD,
    estimatedCostUSD: report.estimate ? report.estimate.total.costUSD : null,
    durationMs: report.durationMs,
    failed: report.tasks
      .filter((t) => t.status === "failed")
      .map((t) => ({
        taskId: t.id,
        file: t.file,
        output: t.output,
        error: t.error ?? { code: "server-error", message: "failed without a recorded error" },
      })),
    exitCode,
  };
  if (report.budget) summary.budget = report.budget;
  if (report.resumeHint) summary.resumeHint = report.resumeHint;
  if (report.codemod) summary.codemod = { spec: report.codemod.spec, done: report.codemod.done, handedOff: report.codemod.handedOff.length, failed: report.codemod.failed.length };
  summary.baseSha = report.baseSha;
  summary.instruction = report.instruction;
  summary.metrics = summarizeMetrics(report.metrics);
  return summary;
}

function buildTasks(input: BuildReportInput): ReportTask[] {
  const resultById = new Map(input.results.map((r) => [r.id, r]));
  const stepsByTask = new Map<string, StepRecord[]>();
  for (const step of input.steps) {
    const list = stepsByTask.get(step.taskId);
    if (list) list.push(step);
    else stepsByTask.set(step.taskId, [step]);
  }
  const reverted = new Map((input.validation?.reverts ?? []).map((r) => [r.taskId, r]));

  const drafts = new Map<string, ReportTask>();
  for (const task of input.plan.tasks) {
    const result = resultById.get(task.id);
    const steps = stepsByTask.get(task.id) ?? [];
    const draft = result ? fromResult(task, result) : fromSteps(task, steps);
    const format = steps.filter((s) => s.kind !== "repair").at(-1)?.format;
    if (format) draft.format = format;
    const revert = reverted.get(task.id);
    if (revert && draft.status === "succeeded") {
      const first = revert.problems[0];
      draft.status = "failed";
      draft.changed = null;
      draft.error = {
        code: "reverted",
        message:
          revert.reason !== undefined && revert.problems.length === 0
            ? `reverted by validation: ${revert.reason}`
            : `reverted by validation: ${revert.problems.length} problem(s) remained after repair` +
              (first ? ` (${first.file}${first.line ? `:${first.line}` : ""} ${first.code}: ${first.message})` : ""),
      };
    }
    drafts.set(task.id, draft);
  }

  // A task that never ran did so because a prerequisite failed (or itself never ran for that
  // reason); otherwise because of what stopped the run. Memoised on the draft; `visiting` guards cycles.
  const tasksById = new Map(input.plan.tasks.map((t) => [t.id, t]));
  const visiting = new Set<string>();
  const reasonOf = (id: string): ErrorInfo | null => {
    const draft = drafts.get(id);
    if (!draft || draft.status !== "not-run") return null;
    if (draft.error || visiting.has(id)) return draft.error;
    visiting.add(id);
    let reason: ErrorInfo | null = null;
    for (const depId of tasksById.get(id)?.dependsOn ?? []) {
      const dep = drafts.get(depId);
      if (dep?.status === "failed") reason = { code: "dependency-failed", message: `not started: prerequisite ${depId} failed` };
      else if (reasonOf(depId)?.code === "dependency-failed") {
        reason = { code: "dependency-failed", message: `not started: prerequisite ${depId} did not run` };
      }
      if (reason) break;
    }
    draft.error = reason ?? notRunReason(input.stoppedBy, input.budget ?? null);
    visiting.delete(id);
    return draft.error;
  };
  for (const draft of drafts.values()) {
    if (draft.status === "not-run") reasonOf(draft.id);
    if (draft.status === "failed" && !draft.error) {
      const lastError = [...(stepsByTask.get(draft.id) ?? [])].reverse().find((s) => s.error)?.error;
      draft.error = lastError ? { ...lastError } : null;
    }
  }
  return [...drafts.values()];
}

function fromResult(task: Task, result: TaskResult): ReportTask {
  return {
    id: task.id,
    role: task.role,
    file: task.file,
    output: task.output,
    status: result.status,
    attempts: result.attempts,
    inputTokens: result.inputTokens,
    cachedInputTokens: result.cachedInputTokens,
    outputTokens: result.outputTokens,
    latencyMs: result.latencyMs,
    wallMs: result.wallMs,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    changed: result.status === "succeeded" ? (result.changed ?? null) : null,
  };
}

function fromSteps(task: Task, steps: StepRecord[]): ReportTask {
  const usage = sumTokens(steps);
  return {
    id: task.id,
    role: task.role,
    file: task.file,
    output: task.output,
    status: "not-run",
    attempts: steps.filter((s) => s.kind !== "repair").length,
    inputTokens: usage.input,
    cachedInputTokens: usage.cachedInput,
    outputTokens: usage.output,
    latencyMs: steps.reduce((sum, s) => sum + s.latencyMs, 0),
    wallMs: 0,
    error: null,
    changed: null,
  };
}

function notRunReason(stoppedBy: StoppedBy, budget: "steps" | "cost" | null): ErrorInfo {
  switch (stoppedBy) {
    case "budget":
      return { code: "budget", message: `not started: the ${budget ?? ""}${budget ? " " : ""}budget ran out` };
    case "interrupt":
      return { code: "interrupted", message: "not started: the run was interrupted" };
    case "abort":
      return { code: "aborted", message: "not started: the run was aborted" };
    case "auth":
      return { code: "auth", message: "not started: the endpoint rejected the API key" };
    case "completed":
      return { code: "interrupted", message: "not started: no result was recorded for this task" };
  }
}

function countTasks(roles: readonly string[], tasks: readonly ReportTask[]): TaskCounts {
  const counts: TaskCounts = { byRole: {}, total: 0, succeeded: 0, failed: 0, notRun: 0 };
  const blank = () => ({ total: 0, succeeded: 0, failed: 0, notRun: 0 });
  for (const role of roles) counts.byRole[role] = blank();
  for (const task of tasks) {
    const row = (counts.byRole[task.role] ??= blank());
    const key = statusKey(task.status);
    row.total++;
    row[key]++;
    counts.total++;
    counts[key]++;
  }
  return counts;
}

function statusKey(status: TaskStatus): "succeeded" | "failed" | "notRun" {
  return status === "not-run" ? "notRun" : status;
}

function sumTokens(steps: readonly StepRecord[]): TokenTotals {
  const totals: TokenTotals = { input: 0, cachedInput: 0, output: 0 };
  for (const { usage } of steps) {
    totals.input += usage.inputTokens;
    totals.cachedInput += usage.cachedInputTokens;
    totals.output += usage.outputTokens;
  }
  return totals;
}

function toReportEstimate(estimate: EstimateLike): ReportEstimate {
  const row = (line: EstimateLine) => ({
    tasks: line.tasks,
    input: line.inputTokens,
    cachedInput: line.cachedInputTokens,
    output: line.outputTokens,
    costUSD: line.costUSD,
  });
  const byRole: ReportEstimate["byRole"] = {};
  for (const [role, line] of Object.entries(estimate.byRole)) byRole[role] = row(line);
  return { byRole, total: row(estimate.total), ...(estimate.calibratedFromRuns ? { calibratedFromRuns: estimate.calibratedFromRuns } : {}) };
}

function compareEstimate(input: BuildReportInput, estimate: ReportEstimate, total: TokenTotals): EstimateVsActualRow[] {
  // Rows follow step kinds: repair steps are not in any role's estimate, so folding them into
  // "refactor" would make the refactor estimate look wrong when it was not.
  const kinds = unique([...input.plan.roles, ...Object.keys(estimate.byRole), ...input.steps.map((s) => s.kind)]);
  const rows = kinds.map((kind) => {
    const steps = input.steps.filter((s) => s.kind === kind);
    const costUSD = input.stepCostUSD ? steps.reduce((sum, s) => sum + input.stepCostUSD!(s), 0) : null;
    return compareRow(kind, estimate.byRole[kind] ?? null, { ...sumTokens(steps), costUSD });
  });
  rows.push(compareRow("total", estimate.total, { ...total, costUSD: input.costUSD }));
  return rows;
}

function compareRow(
  role: string,
  estimated: TokensAndCost | null,
  actual: TokenTotals & { costUSD: number | null },
): EstimateVsActualRow {
  const error = (est: number | undefined, act: number | null) => (est === undefined || act === null ? null : errorPct(est, act));
  return {
    role,
    estimated: estimated
      ? { input: estimated.input, cachedInput: estimated.cachedInput, output: estimated.output, costUSD: estimated.costUSD }
      : null,
    actual,
    errorPct: {
      input: error(estimated?.input, actual.input),
      cachedInput: error(estimated?.cachedInput, actual.cachedInput),
      output: error(estimated?.output, actual.output),
      costUSD: error(estimated?.costUSD, actual.costUSD),
    },
  };
}

/** (actual − estimate) / estimate in percent, one decimal; 0 vs 0 is exact, x vs 0 has no ratio. */
export function errorPct(estimated: number, actual: number): number | null {
  if (estimated === 0) return actual === 0 ? 0 : null;
  return Math.round(((actual - estimated) / estimated) * 1000) / 10;
}

function listMissing(tasks: readonly ReportTask[]): MissingEntry[] {
  return tasks
    .filter((t): t is ReportTask & { status: "failed" | "not-run" } => t.status !== "succeeded")
    .map((t) => ({
      taskId: t.id,
      role: t.role,
      file: t.file,
      output: t.output,
      status: t.status,
      reason: t.error?.code ?? (t.status === "failed" ? "server-error" : "interrupted"),
      message: t.error?.message ?? "no reason recorded",
    }));
}

function toIso(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
