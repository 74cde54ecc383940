import { ROLES, type Plan, type Role, type StepRecord, type Task, type TaskId, type Usage } from "../core/index.js";
import type { Pricing } from "./pricing.js";

// `swarm estimate --sample N`, pure part: which tasks to run for real, and what their bills say about
// the whole plan. src/sample.ts runs them.

export interface SampleSelection {
  /** Every task the sample runs: the picks and their prerequisites, in plan order. */
  taskIds: TaskId[];
  /** The N representative tasks. */
  picked: TaskId[];
  /** Tasks run only because a pick depends on them (a test's or doc's refactor). */
  prerequisites: TaskId[];
}

/**
 * N tasks spread over roles and file sizes:
 * - each role gets a share of N proportional to its tasks, at least one while N allows;
 * - within a role, tasks are ordered by file size and picked at evenly spaced quantiles, so small,
 *   median and large files are all measured;
 * - a test or doc task needs its file's refactor (it works from the refactored content), so a pick
 *   prefers, among the tasks of its size bucket, one whose refactor is sampled already; otherwise
 *   the refactor is added as a prerequisite.
 */
export function selectSample(plan: Plan, size: number): SampleSelection {
  const n = Math.max(0, Math.min(Math.floor(size), plan.tasks.length));
  const byRole = new Map<Role, Task[]>();
  for (const task of plan.tasks) byRole.set(task.role, [...(byRole.get(task.role) ?? []), task]);
  const roles = ROLES.filter((role) => (byRole.get(role)?.length ?? 0) > 0);
  const quota = shareOut(
    n,
    roles.map((role) => byRole.get(role)!.length),
  );

  const picked = new Set<TaskId>();
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const isCovered = (task: Task) => task.dependsOn.every((dep) => picked.has(dep));
  // Refactors first: later roles can then lean on the files already picked.
  roles.forEach((role, r) => {
    const tasks = [...byRole.get(role)!].sort((a, b) => a.bytes - b.bytes || (a.id < b.id ? -1 : 1));
    const k = quota[r]!;
    for (let i = 0; i < k; i++) {
      const from = Math.floor((i * tasks.length) / k);
      const to = Math.max(from + 1, Math.floor(((i + 1) * tasks.length) / k));
      const bucket = tasks.slice(from, to).filter((t) => !picked.has(t.id));
      if (bucket.length === 0) continue;
      const middle = bucket[Math.floor((bucket.length - 1) / 2)]!;
      const covered = bucket.filter(isCovered);
      const choice = covered.length > 0 ? nearestBySize(covered, middle.bytes) : middle;
      picked.add(choice.id);
    }
  });

  const prerequisites = new Set<TaskId>();
  const addDeps = (task: Task) => {
    for (const dep of task.dependsOn) {
      if (picked.has(dep) || prerequisites.has(dep)) continue;
      prerequisites.add(dep);
      const depTask = byId.get(dep);
      if (depTask) addDeps(depTask);
    }
  };
  for (const id of picked) addDeps(byId.get(id)!);
  const inPlanOrder = (ids: Set<TaskId>) => plan.tasks.filter((t) => ids.has(t.id)).map((t) => t.id);
  return {
    taskIds: plan.tasks.filter((t) => picked.has(t.id) || prerequisites.has(t.id)).map((t) => t.id),
    picked: inPlanOrder(picked),
    prerequisites: inPlanOrder(prerequisites),
  };
}

/** The sub-plan of the sampled tasks; dependencies stay inside it by construction. */
export function samplePlan(plan: Plan, selection: SampleSelection): Plan {
  const ids = new Set(selection.taskIds);
  const tasks = plan.tasks.filter((t) => ids.has(t.id));
  const files = new Set(tasks.map((t) => t.file));
  return { ...plan, tasks, files: plan.files.filter((f) => files.has(f.path)) };
}

/** Largest-remainder split of n over weights, at least 1 each while n ≥ the number of weights. */
function shareOut(n: number, weights: number[]): number[] {
  if (weights.length === 0) return [];
  const base = n >= weights.length ? 1 : 0;
  const rest = n - base * weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (rest * w) / total);
  const out = exact.map((x, i) => Math.min(weights[i]!, base + Math.floor(x)));
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  // n ≤ Σ weights, so every round places at least one until nothing is left.
  while (left > 0) {
    for (const { i } of order) {
      if (left > 0 && out[i]! < weights[i]!) {
        out[i]! += 1;
        left--;
      }
    }
  }
  return out;
}

function nearestBySize(tasks: Task[], bytes: number): Task {
  return tasks.reduce((best, t) => (Math.abs(t.bytes - bytes) < Math.abs(best.bytes - bytes) ? t : best));
}

// ---------------------------------------------------------------------------------------------
// Extrapolation

export interface Range {
  low: number;
  expected: number;
  high: number;
}

export interface SampledRole {
  /** Tasks of the role in the whole plan. */
  tasks: number;
  /** Tasks of the role the sample ran (picks and prerequisites). */
  sampled: number;
  /** The static estimate of the whole role, uncalibrated. */
  staticUSD: number;
  staticTokens: Usage;
  /** The role extrapolated from the sample's bills. */
  costUSD: Range;
  inputTokens: Range;
  cachedInputTokens: Range;
  outputTokens: Range;
  /** What the sampled tasks were billed, retries included. */
  measured: { tasks: number; steps: number; retries: number; usage: Usage; costUSD: number; cacheHitShare: number | null };
}

export interface SampleExtrapolation {
  byRole: Partial<Record<Role, SampledRole>>;
  /** Role ranges added up (their errors are treated as fully correlated, the cautious reading). */
  total: SampledRole;
  /** Spread used when a role has fewer than two sampled tasks: no variance can be measured from one. */
  minSpread: number;
  assumptions: string[];
}

/** Spread of the added repair cost: repair rates vary more between repositories than anything sampled. */
const REPAIR_SPREAD = { low: 0.3, high: 3 };

/** ± this share around the expected figure when one sampled task is all a role has. */
export const SINGLE_TASK_SPREAD = 0.25;
/** ≈ 95% of a normal distribution: the range is expected ± 2 standard errors. */
const Z = 2;

export interface ExtrapolateInput {
  plan: Plan;
  /** Uncalibrated first-attempt usage and model of every task in the plan (Estimate.perTaskUncalibrated). */
  planUsage: Readonly<Record<TaskId, { model: string; usage: Usage }>>;
  /**
   * The same for the sampled tasks estimated as a plan of their own: its prefix-cache pattern
   * (the first request of a role pays the prefix) is the one the sample's bills show.
   */
  sampleUsage: Readonly<Record<TaskId, { model: string; usage: Usage }>>;
  /** The sample run's steps. */
  steps: readonly StepRecord[];
  pricing: Pricing;
  /**
   * The static estimate's expected repair steps (Estimate.lines.repairs): a sample runs no validation, so
   * its bills carry no repairs; the whole run's will. Added to the total with the uncalibrated spread.
   */
  repairsUSD?: number;
}

/**
 * The whole plan from the sample, per role, by ratio estimation: the sample's actual ÷ estimated
 * (per component: input, cached input, output, USD) times the static estimate of the whole role.
 * The bill of a task counts all its steps, so retries measured in the sample are priced in. The
 * range is ± 2 standard errors of the ratio (with the finite-population correction), or
 * ± SINGLE_TASK_SPREAD for a role with one sampled task.
 */
export function extrapolateSample(input: ExtrapolateInput): SampleExtrapolation {
  const stepsByTask = new Map<TaskId, StepRecord[]>();
  for (const step of input.steps) stepsByTask.set(step.taskId, [...(stepsByTask.get(step.taskId) ?? []), step]);
  const cost = (model: string, usage: Usage) => input.pricing.costUSD(model, usage);

  const byRole: Partial<Record<Role, SampledRole>> = {};
  for (const role of ROLES) {
    const tasks = input.plan.tasks.filter((t) => t.role === role);
    if (tasks.length === 0) continue;
    const staticTokens = sumUsage(tasks.map((t) => input.planUsage[t.id]?.usage));
    const staticUSD = tasks.reduce((sum, t) => sum + (input.planUsage[t.id] ? cost(input.planUsage[t.id]!.model, input.planUsage[t.id]!.usage) : 0), 0);
    const sampled = tasks.filter((t) => stepsByTask.has(t.id) && input.sampleUsage[t.id]);
    const pairs = sampled.map((t) => {
      const est = input.sampleUsage[t.id]!;
      const steps = stepsByTask.get(t.id)!;
      const usage = sumUsage(steps.map((s) => s.usage));
      return {
        est: { ...est.usage, costUSD: cost(est.model, est.usage) },
        act: { ...usage, costUSD: steps.reduce((sum, s) => sum + cost(s.model, s.usage), 0) },
        steps: steps.length,
      };
    });
    const component = (key: keyof Usage | "costUSD", whole: number): Range => ratioRange(pairs.map((p) => [p.est[key], p.act[key]]), whole, tasks.length);
    const measuredUsage = sumUsage(pairs.map((p) => p.act));
    const steps = pairs.reduce((sum, p) => sum + p.steps, 0);
    byRole[role] = {
      tasks: tasks.length,
      sampled: sampled.length,
      staticUSD,
      staticTokens,
      costUSD: component("costUSD", staticUSD),
      inputTokens: roundRange(component("inputTokens", staticTokens.inputTokens)),
      cachedInputTokens: roundRange(component("cachedInputTokens", staticTokens.cachedInputTokens)),
      outputTokens: roundRange(component("outputTokens", staticTokens.outputTokens)),
      measured: {
        tasks: sampled.length,
        steps,
        retries: steps - sampled.length,
        usage: measuredUsage,
        costUSD: pairs.reduce((sum, p) => sum + p.act.costUSD, 0),
        cacheHitShare: measuredUsage.inputTokens === 0 ? null : measuredUsage.cachedInputTokens / measuredUsage.inputTokens,
      },
    };
  }

  const roles = Object.values(byRole);
  const addRanges = (pick: (r: SampledRole) => Range): Range => ({
    low: roles.reduce((s, r) => s + pick(r).low, 0),
    expected: roles.reduce((s, r) => s + pick(r).expected, 0),
    high: roles.reduce((s, r) => s + pick(r).high, 0),
  });
  const measuredUsage = sumUsage(roles.map((r) => r.measured.usage));
  const repairs = input.repairsUSD ?? 0;
  const withRepairs = (r: Range): Range => ({ low: r.low + repairs * REPAIR_SPREAD.low, expected: r.expected + repairs, high: r.high + repairs * REPAIR_SPREAD.high });
  const total = {
    tasks: roles.reduce((s, r) => s + r.tasks, 0),
    sampled: roles.reduce((s, r) => s + r.sampled, 0),
    staticUSD: roles.reduce((s, r) => s + r.staticUSD, 0),
    staticTokens: sumUsage(roles.map((r) => r.staticTokens)),
    costUSD: withRepairs(addRanges((r) => r.costUSD)),
    inputTokens: addRanges((r) => r.inputTokens),
    cachedInputTokens: addRanges((r) => r.cachedInputTokens),
    outputTokens: addRanges((r) => r.outputTokens),
    measured: {
      tasks: roles.reduce((s, r) => s + r.measured.tasks, 0),
      steps: roles.reduce((s, r) => s + r.measured.steps, 0),
      retries: roles.reduce((s, r) => s + r.measured.retries, 0),
      usage: measuredUsage,
      costUSD: roles.reduce((s, r) => s + r.measured.costUSD, 0),
      cacheHitShare: measuredUsage.inputTokens === 0 ? null : measuredUsage.cachedInputTokens / measuredUsage.inputTokens,
    },
  };
  return {
    byRole,
    total,
    minSpread: SINGLE_TASK_SPREAD,
    assumptions: [
      "each role: the static estimate × (what the sampled tasks were billed ÷ their static estimate), retries included",
      `range: ± 2 standard errors of that ratio over the sampled tasks; ± ${Math.round(SINGLE_TASK_SPREAD * 100)}% for a role with one sampled task`,
      "total range: the role ranges added up (as if their errors went the same way)",
      ...(repairs > 0
        ? [`repairs: a sample runs no validation; the static estimate's expected repair steps ($${repairs.toFixed(4)}) are added, range ${REPAIR_SPREAD.low * 100}%–${REPAIR_SPREAD.high * 100}% of that`]
        : []),
      "prefix cache: the sample's first request per role paid the prefix in full, as the whole run's first will",
    ],
  };
}

/**
 * Ratio estimate R = Σ actual ÷ Σ estimated, scaled to `whole`, with the range ± Z standard errors:
 * SE(R) = sqrt(Σ (aᵢ − R·eᵢ)² / (n − 1) / n) / ē × sqrt(1 − n/N).
 */
export function ratioRange(pairs: readonly (readonly [number, number])[], whole: number, population: number): Range {
  const n = pairs.length;
  const sumE = pairs.reduce((s, [e]) => s + e, 0);
  const sumA = pairs.reduce((s, [, a]) => s + a, 0);
  if (n === 0 || sumE <= 0) {
    // Nothing measured (or nothing estimated): the static figure with the widest spread we use.
    return { low: whole * (1 - SINGLE_TASK_SPREAD), expected: whole, high: whole * (1 + SINGLE_TASK_SPREAD) };
  }
  const ratio = sumA / sumE;
  const expected = whole * ratio;
  let relative: number;
  if (n < 2) relative = SINGLE_TASK_SPREAD;
  else {
    const meanE = sumE / n;
    const residual = pairs.reduce((s, [e, a]) => s + (a - ratio * e) ** 2, 0) / (n - 1);
    const fpc = Math.sqrt(Math.max(0, 1 - n / Math.max(n, population)));
    relative = ratio === 0 ? 0 : (Z * Math.sqrt(residual / n) * fpc) / meanE / ratio;
  }
  return { low: Math.max(0, expected * (1 - relative)), expected, high: expected * (1 + relative) };
}

function roundRange(r: Range): Range {
  return { low: Math.round(r.low), expected: Math.round(r.expected), high: Math.round(r.high) };
}

function sumUsage(items: readonly (Usage | undefined)[]): Usage {
  const out: Usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };
  for (const u of items) {
    if (!u) continue;
    out.inputTokens += u.inputTokens;
    out.cachedInputTokens += u.cachedInputTokens;
    out.outputTokens += u.outputTokens;
  }
  return out;
}
