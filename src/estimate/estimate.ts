import { ROLES, type Plan, type Role, type StepKind, type Task, type TaskId, type Usage } from "../core/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { ChatMessage } from "../llm/index.js";
import { asksForEdits, parseAnswer } from "../prompt/index.js";
import type { Pricing } from "./pricing.js";
import { modelFor } from "./routing.js";
import { countMessageTokens, countTokens, TOKENS_PER_MESSAGE } from "./tokenizer.js";
import { plural } from "../util/index.js";

export interface RoleEstimate {
  tasks: number;
  /** Requests: one per task (retries and repairs are not planned, so not counted). */
  steps: number;
  /** All input tokens, cached ones included (as providers bill them). */
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUSD: number;
}

export interface Estimate {
  byRole: Record<Role, RoleEstimate>;
  total: RoleEstimate;
  /** Expected wall time of the run at the configured concurrency. */
  wallMs: number;
  /** What the figures rest on, one human sentence each, for the estimate printout and report.md. */
  assumptions: string[];
  /** Whether any figure was scaled by a calibration ratio from earlier runs. */
  calibrated: boolean;
  /** Most earlier runs behind any ratio applied (0 when uncalibrated): "calibrated from N runs". */
  calibratedFromRuns?: number;
  /** Each task's first-attempt cost, as summed into the totals. */
  perTaskUSD: Record<TaskId, number>;
  /**
   * What the cost budget holds back while a task's step is in flight: its cost with headroom
   * (`RESERVE_HEADROOM`), so that steps costing more than estimated still land under the limit.
   */
  perTaskReserveUSD?: Record<TaskId, number>;
  /**
   * Each task's first-attempt usage and model before calibration: what the next calibration compares
   * actual usage against (ratios of ratios would compound run after run).
   */
  perTaskUncalibrated?: Record<TaskId, { model: string; usage: Usage }>;
}

/** One (model, step kind)'s actual ÷ estimated ratios from earlier runs. */
export interface CalibrationRatio {
  input: number;
  output: number;
  /** Cached input; absent = scaled like input. */
  cachedInput?: number;
  /** Runs the ratio was measured over. */
  runs?: number;
  /** Tasks the ratio was measured over. */
  tasks?: number;
}

/** actual ÷ estimated from earlier runs, keyed by `calibrationKey(model, role)`. */
export type Calibration = Readonly<Record<string, CalibrationRatio>>;

export const calibrationKey = (model: string, kind: StepKind): string => `${model}|${kind}`;

/**
 * Output tokens per step kind as `perSourceToken × source tokens + fixed`. Calibrated guesses, not
 * measurements; calibration from real runs replaces them:
 * - refactor/repair: the whole file comes back, a little longer (fence, added types or comments);
 * - test: a test file runs close to its source in size, plus imports and setup;
 * - doc: prose plus signatures, about a third of the source, plus title and intro.
 * Reasoning ("thinking") tokens, billed as output, are not included.
 */
export const OUTPUT_RATIOS: Readonly<Record<StepKind, { perSourceToken: number; fixed: number }>> = Object.freeze({
  refactor: { perSourceToken: 1.05, fixed: 0 },
  test: { perSourceToken: 0.9, fixed: 150 },
  doc: { perSourceToken: 0.35, fixed: 120 },
  repair: { perSourceToken: 1.05, fixed: 0 },
});

/**
 * Headroom of the cost budget's in-flight reserve over the estimate. Input is reserved uncached
 * (concurrent first requests of a role all miss a real provider's cache) and with the tokenizer gap
 * (o200k vs the provider's vocabulary: up to +9% measured in test/integration/estimate-accuracy);
 * output, the guessed part, with 30% (refactor answers measured up to +15% over the guess). Calibrated figures were measured, so less. Output never
 * exceeds max_tokens, the one hard bound.
 */
const RESERVE_HEADROOM = Object.freeze({
  uncalibrated: { input: 1.1, output: 1.3 },
  calibrated: { input: 1.05, output: 1.2 },
});

/**
 * Output of a refactor answered with SEARCH/REPLACE edits (editFormat): the changed lines with their context,
 * not the file. A stated default until calibration measures the run's own ratio: a typical instruction touches
 * a few places of a large file; each block repeats its SEARCH lines.
 */
const EDIT_OUTPUT = Object.freeze({ perSourceToken: 0.1, fixed: 200 });

export function expectedOutputTokens(kind: StepKind, sourceTokens: number): number {
  const ratio = OUTPUT_RATIOS[kind];
  return Math.ceil(ratio.perSourceToken * Math.max(0, sourceTokens) + ratio.fixed);
}

/** Tokens of the file inside the last message's block (the whole last message if it has no single block). */
function sourceTokensOf(messages: readonly ChatMessage[]): number {
  const last = messages.at(-1);
  return last === undefined ? 0 : sourceTokensIn(last.content, countTokens(last.content));
}

/**
 * The block's share of the last message's tokens: the message minus its header and fences. Subtracting
 * saves tokenizing the file twice (the bulk of estimating); boundary merges shift it by a token or two.
 */
function sourceTokensIn(lastContent: string, lastTokens: number): number {
  const parsed = parseAnswer(lastContent, "stop");
  if (!parsed.ok) return lastTokens;
  const at = lastContent.lastIndexOf(parsed.content);
  if (at === -1) return countTokens(parsed.content);
  const rest = lastContent.slice(0, at) + lastContent.slice(at + parsed.content.length);
  return Math.max(0, lastTokens - countTokens(rest));
}

export interface EstimatePlanInput {
  plan: Plan;
  config: ResolvedConfig;
  /** The first-attempt messages of a task, as the agent would send them. */
  messagesFor: (task: Task) => readonly ChatMessage[];
  pricing: Pricing;
  calibration?: Calibration;
}

/**
 * Tokens, dollars and time for one first attempt of every task:
 * - input = the exact messages, counted with the o200k tokenizer; the first task of each (role, model)
 *   pays the shared prefix (messages[0..1]) in full, later ones get it as cached input when it reaches
 *   the model's `minCacheTokens`;
 * - output = `OUTPUT_RATIOS` applied to the source file's tokens, capped at the route's max_tokens;
 * - calibration ratios for a (model, role), when given, scale input and output;
 * - wall time = the larger of the DAG's critical path and the number of concurrency-wide waves, each
 *   step taking `estimate.assumedLatencyMs`.
 */
export function estimatePlan(input: EstimatePlanInput): Estimate {
  const { plan, config, pricing, calibration } = input;
  const byRole = Object.fromEntries(ROLES.map((role) => [role, emptyRoleEstimate()])) as Record<Role, RoleEstimate>;
  const prefixSeen = new Set<string>();
  const prefixTokenCache = new Map<string, number>();
  const modelsUsed = new Set<string>();
  const prefixTokensByKey = new Map<string, number>();
  const perTaskUSD: Record<TaskId, number> = {};
  const perTaskReserveUSD: Record<TaskId, number> = {};
  const perTaskUncalibrated: Record<TaskId, { model: string; usage: Usage }> = {};
  let calibrated = false;
  let calibratedFromRuns = 0;

  const countCached = (text: string): number => {
    let tokens = prefixTokenCache.get(text);
    if (tokens === undefined) {
      tokens = countTokens(text);
      prefixTokenCache.set(text, tokens);
    }
    return tokens;
  };

  let editTasks = 0;
  for (const task of plan.tasks) {
    const route = modelFor(config, task.role, task.bytes);
    const price = pricing.priceOf(route.model);
    modelsUsed.add(route.model);
    const messages = input.messagesFor(task);

    // Same sum as countMessageTokens(messages), split up so that the prefix strings, which repeat for
    // every task of a role, are counted once, and the last message's count also yields the file's.
    const prefixTokens = messages.slice(0, 2).reduce((sum, m) => sum + countCached(m.content) + TOKENS_PER_MESSAGE, 0);
    const middle = messages.slice(2, -1);
    const last = messages.length > 2 ? messages[messages.length - 1] : undefined;
    const lastTokens = last === undefined ? 0 : countTokens(last.content);
    let inputTokens =
      prefixTokens + countMessageTokens(middle) + (last === undefined ? 0 : lastTokens + TOKENS_PER_MESSAGE);
    const sourceTokens = last === undefined ? 0 : sourceTokensIn(last.content, lastTokens);
    const edits = asksForEdits(messages);
    if (edits) editTasks++;
    const expected = edits ? Math.ceil(EDIT_OUTPUT.perSourceToken * sourceTokens + EDIT_OUTPUT.fixed) : expectedOutputTokens(task.role, sourceTokens);
    let outputTokens = Math.min(expected, route.maxOutputTokens);

    const key = calibrationKey(route.model, task.role);
    prefixTokensByKey.set(key, prefixTokens);
    let cachedInputTokens = prefixSeen.has(key) && prefixTokens >= (price.minCacheTokens ?? 0) ? prefixTokens : 0;
    prefixSeen.add(key);

    perTaskUncalibrated[task.id] = { model: route.model, usage: { inputTokens, cachedInputTokens, outputTokens } };
    const ratio = calibration?.[key];
    if (ratio !== undefined && isUsableRatio(ratio.input) && isUsableRatio(ratio.output)) {
      const cachedRatio = ratio.cachedInput !== undefined && isUsableRatio(ratio.cachedInput) ? ratio.cachedInput : ratio.input;
      inputTokens = Math.round(inputTokens * ratio.input);
      outputTokens = Math.round(outputTokens * ratio.output);
      cachedInputTokens = Math.min(Math.round(cachedInputTokens * cachedRatio), inputTokens);
      calibrated = true;
      calibratedFromRuns = Math.max(calibratedFromRuns, ratio.runs ?? 1);
    }

    const usage: Usage = { inputTokens, cachedInputTokens, outputTokens };
    const costUSD = pricing.costUSD(route.model, usage);
    perTaskUSD[task.id] = costUSD;
    const headroom = ratio !== undefined && calibrated ? RESERVE_HEADROOM.calibrated : RESERVE_HEADROOM.uncalibrated;
    perTaskReserveUSD[task.id] = pricing.costUSD(route.model, {
      inputTokens: Math.ceil(inputTokens * headroom.input),
      cachedInputTokens: 0,
      outputTokens: Math.min(Math.ceil(outputTokens * headroom.output), route.maxOutputTokens),
    });
    addTo(byRole[task.role], usage, costUSD);
  }

  const total = emptyRoleEstimate();
  for (const role of ROLES) {
    const r = byRole[role];
    total.tasks += r.tasks;
    total.steps += r.steps;
    total.inputTokens += r.inputTokens;
    total.cachedInputTokens += r.cachedInputTokens;
    total.outputTokens += r.outputTokens;
    total.costUSD += r.costUSD;
  }

  const latencyMs = config.estimate.assumedLatencyMs;
  const chain = longestChain(plan.tasks);
  const waves = Math.ceil(total.steps / Math.max(1, config.concurrency));
  const wallMs = Math.max(chain, waves) * latencyMs;

  const assumptions = [
    "one request per task: retries and repair steps are not included",
    calibrated
      ? `calibrated from ${plural(calibratedFromRuns, "run")}: tokens scaled per model and role by actual ÷ estimated of earlier runs (${describeRatios(calibration ?? {}, prefixTokensByKey)})`
      : "output tokens: refactor ≈ 1.05 × source tokens, test ≈ 0.9 × source + 150, doc ≈ 0.35 × source + 120 (uncalibrated guesses)",
    "input tokens: counted with the o200k_base tokenizer (GPT-4o/4.1); other vendors' tokenizers count differently until calibrated",
    "test and doc prompts are sized on the current source; after the refactor they carry the refactored file",
    `prefix cache: the first request of each role and model pays the shared prefix in full, later ones get it at the cached rate (${describePrefixes(prefixTokensByKey)})`,
    `wall time: max(critical path ${chain} tasks, ${waves} waves of ${config.concurrency}) × ${latencyMs} ms assumed latency per request`,
  ];
  if (mayThink(config)) {
    assumptions.push("reasoning (thinking) tokens are billed as output and are not included; set routing.<role>.thinking to false or calibrate");
  }
  if (editTasks > 0) {
    assumptions.push(
      `${plural(editTasks, "refactor")} answered with SEARCH/REPLACE edits (editFormat): output assumed ${EDIT_OUTPUT.perSourceToken * 100}% of the file + ${EDIT_OUTPUT.fixed} tokens`,
    );
  }
  for (const model of [...modelsUsed].sort()) {
    const p = pricing.priceOf(model);
    const provenance = p.source === "config" ? "from config" : `${p.source}, as of ${p.asOf ?? "unknown"}${p.confirmed ? "" : ", unconfirmed"}`;
    assumptions.push(
      `${model}: $${p.inputPerMTok} input, $${p.cachedInputPerMTok} cached input, $${p.outputPerMTok} output per million tokens (${provenance})`,
    );
  }

  return {
    byRole,
    total,
    wallMs,
    assumptions,
    calibrated,
    ...(calibrated ? { calibratedFromRuns } : {}),
    perTaskUSD,
    perTaskReserveUSD,
    perTaskUncalibrated,
  };
}

/**
 * Expected cost of one request about to start, for the cost budget's in-flight reserve. Input is counted
 * as uncached and output as the kind's expected size (capped at max_tokens): a reserve that assumed every
 * answer hits max_tokens would stall a run long before its budget is spent.
 */
export function estimateStepUsage(
  request: { messages: readonly ChatMessage[]; maxOutputTokens?: number },
  kind: StepKind,
): Usage {
  const expected = expectedOutputTokens(kind, sourceTokensOf(request.messages));
  return {
    inputTokens: countMessageTokens(request.messages),
    cachedInputTokens: 0,
    outputTokens: request.maxOutputTokens === undefined ? expected : Math.min(expected, request.maxOutputTokens),
  };
}

export function estimateStepCostUSD(
  pricing: Pricing,
  request: { model: string; messages: readonly ChatMessage[]; maxOutputTokens?: number },
  kind: StepKind,
): number {
  return pricing.costUSD(request.model, estimateStepUsage(request, kind));
}

function emptyRoleEstimate(): RoleEstimate {
  return { tasks: 0, steps: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUSD: 0 };
}

function addTo(target: RoleEstimate, usage: Usage, costUSD: number): void {
  target.tasks += 1;
  target.steps += 1;
  target.inputTokens += usage.inputTokens;
  target.cachedInputTokens += usage.cachedInputTokens;
  target.outputTokens += usage.outputTokens;
  target.costUSD += costUSD;
}

function isUsableRatio(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

/** Tasks on the longest dependsOn chain (1 for a plan without dependencies, 0 for an empty one). */
export function longestChain(tasks: readonly Task[]): number {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const depthOf = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = depthOf.get(id);
    if (known !== undefined) return known;
    const task = byId.get(id);
    // Unknown ids and cycles (a plan bug dag.ts reports) end the chain instead of recursing forever.
    if (task === undefined || visiting.has(id)) return 0;
    visiting.add(id);
    let deepest = 0;
    for (const dep of task.dependsOn) deepest = Math.max(deepest, depth(dep));
    visiting.delete(id);
    depthOf.set(id, deepest + 1);
    return deepest + 1;
  };
  let longest = 0;
  for (const task of tasks) longest = Math.max(longest, depth(task.id));
  return longest;
}

function describePrefixes(prefixTokensByKey: ReadonlyMap<string, number>): string {
  if (prefixTokensByKey.size === 0) return "no tasks";
  return [...prefixTokensByKey]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, tokens]) => `${key.slice(key.indexOf("|") + 1)} on ${key.slice(0, key.indexOf("|"))}: ${tokens} tokens`)
    .join("; ");
}

/** "refactor on kimi-k2.6: input ×1.04, output ×0.97" for the keys this plan used. */
function describeRatios(calibration: Calibration, usedKeys: ReadonlyMap<string, number>): string {
  const parts = [...usedKeys.keys()]
    .sort()
    .filter((key) => calibration[key] !== undefined)
    .map((key) => {
      const r = calibration[key]!;
      const bar = key.indexOf("|");
      return `${key.slice(bar + 1)} on ${key.slice(0, bar)}: input ×${r.input.toFixed(2)}, output ×${r.output.toFixed(2)}`;
    });
  return parts.length === 0 ? "none" : parts.join("; ");
}

/** Whether some role's requests may come back with reasoning tokens. */
function mayThink(config: ResolvedConfig): boolean {
  const kinds: StepKind[] = [...config.roles, "repair"];
  return kinds.some((kind) => {
    const routing = config.routing[kind];
    if (routing.thinking !== undefined) return routing.thinking;
    const model = routing.model ?? config.provider.model;
    return config.provider.supportsThinking ?? model.startsWith("kimi");
  });
}
