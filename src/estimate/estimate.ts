import { ROLES, type Plan, type Role, type StepKind, type Task, type TaskId, type Usage } from "../core/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { ChatMessage } from "../llm/index.js";
import { asksForEdits, parseAnswer } from "../prompt/index.js";
import type { Pricing } from "./pricing.js";
import { modelFor } from "./routing.js";
import { countMessageTokens, countTokens, TOKENS_PER_MESSAGE } from "./tokenizer.js";
import { plural } from "../util/index.js";
import { DEFAULT_REPAIR_RATES, DEFAULT_RETRY_RATES, postRunMs, repairStepUsage, RETRY_CLASSES, scaleUsage, type CalibrationKind, type RetryClass } from "./overheads.js";
import type { Range } from "./sample.js";

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

/** One line of the estimate: what a part of the run costs (steps may be fractional: expected counts). */
export interface EstimateLine {
  steps: number;
  usage: Usage;
  costUSD: number;
}

/** The parts of the run the total adds up, each its own line (issue 16). */
export interface EstimateLines {
  firstAttempts: EstimateLine;
  /** Expected failed attempts paid for, by class, from calibration or `DEFAULT_RETRY_RATES`. */
  retries: EstimateLine & { byClass: Record<RetryClass, number>; source: "calibrated" | "default" };
  /** Expected repair steps of validation (rate × the repair step's size). */
  repairs: EstimateLine & { source: "calibrated" | "default" | "validation off" };
}

export interface Estimate {
  /** Per role: its first attempts and its retries; `repair`: validation's expected repair steps, a step kind of their own. */
  byRole: Record<Role, RoleEstimate> & { repair?: RoleEstimate };
  total: RoleEstimate;
  /** Expected wall time of the run at the configured concurrency, validation and commit included. */
  wallMs: number;
  /** The parts of the total: first attempts, retries, repairs. */
  lines?: EstimateLines;
  /** wallMs split: the requests, then validation (with repair rounds) and the commits and report. */
  timeMs?: { requests: number; validation: number; commit: number };
  /** Low–expected–high of the total USD: the spread of what retries and repairs may add, and the output guess. */
  rangeUSD?: Range;
  /** What the figures rest on, one human sentence each, for the estimate printout and report.md. */
  assumptions: string[];
  /** Whether any figure was scaled by a calibration ratio from earlier runs. */
  calibrated: boolean;
  /** Most earlier runs behind any ratio applied (0 when uncalibrated): "calibrated from N runs". */
  calibratedFromRuns?: number;
  /** Tasks of `swarm estimate --sample` runs behind the ratios applied: "calibrated from a sample of N tasks". */
  calibratedFromSampleTasks?: number;
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
  perTaskUncalibrated?: Record<TaskId, { model: string; usage: Usage; kind?: CalibrationKind }>;
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
  /** Of them, runs and tasks of `swarm estimate --sample`. */
  sampleRuns?: number;
  sampleTasks?: number;
  /** Failed paid attempts per attempted task, by class, and their tokens ÷ the first attempts' estimate. */
  retries?: { perTask: Record<RetryClass, number>; usage: { input: number; cachedInput?: number; output: number } };
  /** Repair steps per attempted task, and their tokens ÷ the first attempts' estimate. */
  repairs?: { perTask: number; usage: { input: number; cachedInput?: number; output: number } };
  /** Step latency, ms. */
  latencyMs?: { p50: number; p90: number };
}

/** actual ÷ estimated from earlier runs, keyed by `calibrationKey(model, role)`. */
export type Calibration = Readonly<Record<string, CalibrationRatio>>;

export const calibrationKey = (model: string, kind: CalibrationKind): string => `${model}|${kind}`;

/**
 * Output tokens per step kind as `perSourceToken × source tokens + fixed`. Calibrated guesses, not
 * measurements; calibration from real runs replaces them:
 * - refactor/repair: the whole file comes back, a little longer (fence, added types or comments);
 * - test: cases follow the exported API and its branches, not the bodies' bulk: about 0.6 of the
 *   source, plus imports and setup (0.9 overestimated test output by 35–45% on the fixtures);
 * - doc: prose plus signatures, about a fifth of the source, plus title and intro (0.35 overestimated
 *   by 40–60%).
 * Reasoning ("thinking") tokens, billed as output, are not included.
 */
export const OUTPUT_RATIOS: Readonly<Record<StepKind, { perSourceToken: number; fixed: number }>> = Object.freeze({
  refactor: { perSourceToken: 1.05, fixed: 0 },
  test: { perSourceToken: 0.6, fixed: 100 },
  doc: { perSourceToken: 0.2, fixed: 60 },
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

/**
 * Where the file's block sits in a prompt's last message, found without parsing it: the message ends with the
 * block's closing fence, longer than any backtick run inside the block (codeBlock), so its first occurrence opens
 * the block. Null for any other shape, and for a block parseAnswer would not read (empty or blank).
 */
export function lastBlockOf(message: string): { start: number; end: number } | null {
  const closeAt = message.lastIndexOf("\n") + 1;
  const fence = message.slice(closeAt);
  if (closeAt === 0 || !/^`{3,}$/.test(fence)) return null;
  const openAt = message.indexOf(fence);
  if (openAt >= closeAt - 1 || (openAt > 0 && message[openAt - 1] !== "\n")) return null;
  const start = message.indexOf("\n", openAt) + 1;
  if (start === 0 || start >= closeAt || message.slice(openAt + fence.length, start - 1).includes("`")) return null;
  return /\S/.test(message.slice(start, closeAt)) ? { start, end: closeAt } : null;
}

export interface EstimatePlanInput {
  plan: Plan;
  config: ResolvedConfig;
  /** The first-attempt messages of a task, as the agent would send them. */
  messagesFor: (task: Task) => readonly ChatMessage[];
  pricing: Pricing;
  calibration?: Calibration;
  /** Called after each task's prompt is counted: tokenizing a large plan takes seconds. */
  onProgress?: (done: number, total: number) => void;
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
  const byRole = Object.fromEntries(ROLES.map((role) => [role, emptyRoleEstimate()])) as Estimate["byRole"];
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
  // A file's refactor, test and doc prompts carry the same block: it is counted once, and the message as its
  // header, the block and the closing fence (the block's count is also the file's, with no parse of the message).
  // o200k's pre-tokenizer never joins a line break to the text after it unless that is whitespace too, so cut
  // there the parts count exactly as the whole does; a block starting with whitespace is counted in its message.
  const blockTokens = new Map<string, number>();
  const countLast = (content: string): { lastTokens: number; sourceTokens: number } => {
    const block = lastBlockOf(content);
    if (block === null) {
      const lastTokens = countTokens(content);
      return { lastTokens, sourceTokens: sourceTokensIn(content, lastTokens) };
    }
    const body = content.slice(block.start, block.end);
    let sourceTokens = blockTokens.get(body);
    if (sourceTokens === undefined) {
      sourceTokens = countTokens(body);
      blockTokens.set(body, sourceTokens);
    }
    const lastTokens = /^\s/.test(body) ? countTokens(content) : countTokens(content.slice(0, block.start)) + sourceTokens + countTokens(content.slice(block.end));
    return { lastTokens, sourceTokens };
  };

  const validate = config.validate.enabled;
  const lines: EstimateLines = {
    firstAttempts: emptyLine(),
    retries: { ...emptyLine(), byClass: { transient: 0, format: 0, edit: 0 }, source: "default" },
    repairs: { ...emptyLine(), source: validate ? "default" : "validation off" },
  };
  const repairRow = emptyRoleEstimate();
  let calibratedFromSampleTasks = 0;
  let latencySum = 0;
  let latencyTasks = 0;

  let editTasks = 0;
  let counted = 0;
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
    const { lastTokens, sourceTokens } = last === undefined ? { lastTokens: 0, sourceTokens: 0 } : countLast(last.content);
    let inputTokens =
      prefixTokens + countMessageTokens(middle) + (last === undefined ? 0 : lastTokens + TOKENS_PER_MESSAGE);
    const edits = asksForEdits(messages);
    if (edits) editTasks++;
    // A test or doc task's edits change the existing output it was shown, not the source: priced on that file.
    const current = edits && task.role !== "refactor" ? middle.find((m) => m.content.startsWith(`Current content of ${task.output} `)) : undefined;
    const editedTokens = current ? countLast(current.content).sourceTokens : sourceTokens;
    const expected = edits ? Math.ceil(EDIT_OUTPUT.perSourceToken * editedTokens + EDIT_OUTPUT.fixed) : expectedOutputTokens(task.role, sourceTokens);
    let outputTokens = Math.min(expected, route.maxOutputTokens);

    const kind: CalibrationKind = edits ? "edit" : task.role;
    const key = calibrationKey(route.model, kind);
    prefixTokensByKey.set(key, prefixTokens);
    let cachedInputTokens = prefixSeen.has(key) && prefixTokens >= (price.minCacheTokens ?? 0) ? prefixTokens : 0;
    prefixSeen.add(key);

    const uncalibrated: Usage = { inputTokens, cachedInputTokens, outputTokens };
    perTaskUncalibrated[task.id] = { model: route.model, usage: uncalibrated, ...(edits ? { kind } : {}) };
    const ratio = calibration?.[key];
    const usable = ratio !== undefined && isUsableRatio(ratio.input) && isUsableRatio(ratio.output);
    if (usable) {
      const cachedRatio = ratio.cachedInput !== undefined && isUsableRatio(ratio.cachedInput) ? ratio.cachedInput : ratio.input;
      inputTokens = Math.round(inputTokens * ratio.input);
      outputTokens = Math.round(outputTokens * ratio.output);
      cachedInputTokens = Math.min(Math.round(cachedInputTokens * cachedRatio), inputTokens);
      calibrated = true;
      calibratedFromRuns = Math.max(calibratedFromRuns, ratio.runs ?? 1);
      calibratedFromSampleTasks = Math.max(calibratedFromSampleTasks, ratio.sampleTasks ?? 0);
    }
    if (ratio?.latencyMs) {
      latencySum += ratio.latencyMs.p50;
      latencyTasks++;
    }

    const usage: Usage = { inputTokens, cachedInputTokens, outputTokens };
    const costUSD = pricing.costUSD(route.model, usage);
    perTaskUSD[task.id] = costUSD;
    const headroom = usable ? RESERVE_HEADROOM.calibrated : RESERVE_HEADROOM.uncalibrated;
    perTaskReserveUSD[task.id] = pricing.costUSD(route.model, {
      inputTokens: Math.ceil(inputTokens * headroom.input),
      cachedInputTokens: 0,
      outputTokens: Math.min(Math.ceil(outputTokens * headroom.output), route.maxOutputTokens),
    });
    addTo(byRole[task.role], usage, costUSD, 1);
    addLine(lines.firstAttempts, usage, costUSD, 1);

    // Retries: measured tokens per estimated token when calibrated, else the stated rates × this attempt.
    const retryRates = usable && ratio.retries ? ratio.retries.perTask : { ...DEFAULT_RETRY_RATES, edit: edits ? DEFAULT_RETRY_RATES.edit : 0 };
    const retrySteps = RETRY_CLASSES.reduce((sum, c) => sum + retryRates[c], 0);
    const retryUsage = usable && ratio.retries ? scaleUsage(uncalibrated, ratio.retries.usage) : scaleUsage(usage, { input: retrySteps, cachedInput: 0, output: retrySteps });
    if (usable && ratio.retries) lines.retries.source = "calibrated";
    for (const c of RETRY_CLASSES) lines.retries.byClass[c] += retryRates[c];
    const retryUSD = pricing.costUSD(route.model, retryUsage);
    addTo(byRole[task.role], retryUsage, retryUSD, retrySteps, 0);
    addLine(lines.retries, retryUsage, retryUSD, retrySteps);

    if (validate) {
      const repairs = usable && ratio.repairs ? ratio.repairs : null;
      const repairSteps = repairs ? repairs.perTask : DEFAULT_REPAIR_RATES[task.role];
      const repairUsage = repairs ? scaleUsage(uncalibrated, repairs.usage) : scaleUsage(repairStepUsage(usage), { input: repairSteps, output: repairSteps });
      if (repairs) lines.repairs.source = "calibrated";
      const repairModel = modelFor(config, "repair", task.bytes).model;
      const repairUSD = pricing.costUSD(repairModel, repairUsage);
      addTo(repairRow, repairUsage, repairUSD, repairSteps, 0);
      addLine(lines.repairs, repairUsage, repairUSD, repairSteps);
    }
    input.onProgress?.(++counted, plan.tasks.length);
  }
  if (repairRow.steps > 0) byRole.repair = repairRow;

  const total = emptyRoleEstimate();
  for (const r of [...ROLES.map((role) => byRole[role]), repairRow]) {
    total.tasks += r.tasks;
    total.steps += r.steps;
    total.inputTokens += r.inputTokens;
    total.cachedInputTokens += r.cachedInputTokens;
    total.outputTokens += r.outputTokens;
    total.costUSD += r.costUSD;
  }

  const latencyMs = latencyTasks > 0 ? Math.round(latencySum / latencyTasks) : config.estimate.assumedLatencyMs;
  const chain = longestChain(plan.tasks);
  const mainSteps = total.steps - repairRow.steps;
  const waves = Math.ceil(mainSteps / Math.max(1, config.concurrency));
  const repairWaves = Math.ceil(repairRow.steps / Math.max(1, config.concurrency));
  const requestsMs = (Math.max(chain, waves) + repairWaves) * latencyMs;
  const post = postRunMs({ validate, changedFiles: plan.tasks.length, roles: plan.roles.length, repairRounds: repairWaves > 0 ? 1 : 0 });
  const timeMs = { requests: requestsMs, ...post };
  const wallMs = requestsMs + post.validation + post.commit;
  const overheadUSD = lines.retries.costUSD + lines.repairs.costUSD;
  const spread = calibrated ? RANGE_SPREAD.calibrated : RANGE_SPREAD.uncalibrated;
  const rangeUSD: Range = {
    low: lines.firstAttempts.costUSD * spread.firstLow + overheadUSD * spread.overheadLow,
    expected: total.costUSD,
    high: lines.firstAttempts.costUSD * spread.firstHigh + overheadUSD * spread.overheadHigh,
  };

  const assumptions = [
    `first attempts: one request per task; retries: ${describeRetries(lines.retries, plan.tasks.length)}; repairs: ${describeRepairs(lines.repairs, plan.tasks.length)}`,
    calibrated
      ? `${calibrationSource(calibratedFromRuns, calibratedFromSampleTasks)}: tokens scaled per model and step kind by actual ÷ estimated of earlier runs (${describeRatios(calibration ?? {}, prefixTokensByKey)})`
      : "output tokens: refactor ≈ 1.05 × source tokens, test ≈ 0.6 × source + 100, doc ≈ 0.2 × source + 60 (uncalibrated guesses)",
    "input tokens: counted with the o200k_base tokenizer (GPT-4o/4.1); other vendors' tokenizers count differently until calibrated",
    "test and doc prompts are sized on the current source; after the refactor they carry the refactored file",
    `prefix cache: the first request of each role and model pays the shared prefix in full, later ones get it at the cached rate (${describePrefixes(prefixTokensByKey)})`,
    `wall time: (max(critical path ${chain} tasks, ${waves} waves of ${config.concurrency}) + ${repairWaves} repair waves) × ${latencyMs} ms ${latencyTasks > 0 ? "measured median" : "assumed"} latency per request, + validation ~${Math.round(post.validation / 100) / 10} s and commit ~${Math.round(post.commit / 100) / 10} s`,
    `range: first attempts ${pctOf(spread.firstLow)} to ${pctOf(spread.firstHigh)}, retries and repairs ${pctOf(spread.overheadLow)} to ${pctOf(spread.overheadHigh)} of expected`,
  ];
  if (mayThink(config)) {
    assumptions.push("reasoning (thinking) tokens are billed as output and are not included; set routing.<role>.thinking to false or calibrate");
  }
  if (editTasks > 0) {
    assumptions.push(
      `${plural(editTasks, "task")} answered with SEARCH/REPLACE edits (editFormat): output assumed ${EDIT_OUTPUT.perSourceToken * 100}% of the file + ${EDIT_OUTPUT.fixed} tokens`,
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
    lines,
    timeMs,
    rangeUSD,
    assumptions,
    calibrated,
    ...(calibrated && calibratedFromRuns > 0 ? { calibratedFromRuns } : {}),
    ...(calibratedFromSampleTasks > 0 ? { calibratedFromSampleTasks } : {}),
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

function emptyLine(): EstimateLine {
  return { steps: 0, usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 }, costUSD: 0 };
}

function addLine(line: EstimateLine, usage: Usage, costUSD: number, steps: number): void {
  line.steps += steps;
  line.usage = { inputTokens: line.usage.inputTokens + usage.inputTokens, cachedInputTokens: line.usage.cachedInputTokens + usage.cachedInputTokens, outputTokens: line.usage.outputTokens + usage.outputTokens };
  line.costUSD += costUSD;
}

/**
 * Spread of the total's range, as multiples of each line's expected cost: the uncalibrated output
 * guess missed by −60% to +120% per role on real repositories (issue 16), retries and repairs vary
 * more than first attempts; calibrated figures were measured on this repository.
 */
const RANGE_SPREAD = Object.freeze({
  uncalibrated: { firstLow: 0.75, firstHigh: 1.35, overheadLow: 0.3, overheadHigh: 3 },
  calibrated: { firstLow: 0.92, firstHigh: 1.08, overheadLow: 0.6, overheadHigh: 1.6 },
});

const pctOf = (x: number) => `${Math.round(x * 100)}%`;

/** "calibrated from 2 runs and a sample of 4 tasks"; a sample alone is never called a run. */
export function calibrationSource(runs: number, sampleTasks: number): string {
  const sample = sampleTasks > 0 ? `a sample of ${plural(sampleTasks, "task")}` : "";
  if (runs > 0) return `calibrated from ${plural(runs, "run")}${sample ? ` and ${sample}` : ""}`;
  return `calibrated from ${sample || "a sample"}`;
}

function describeRetries(line: EstimateLines["retries"], tasks: number): string {
  const per = (n: number) => (tasks === 0 ? "0" : (n / tasks).toFixed(3));
  const classes = RETRY_CLASSES.filter((c) => line.byClass[c] > 0).map((c) => `${c} ${per(line.byClass[c])}`).join(", ");
  return `${line.source === "calibrated" ? "measured" : "stated default"} rates per task (${classes || "none"})`;
}

function describeRepairs(line: EstimateLines["repairs"], tasks: number): string {
  if (line.source === "validation off") return "none (validation off)";
  const rate = tasks === 0 ? 0 : line.steps / tasks;
  return line.source === "calibrated"
    ? `${rate.toFixed(3)} per task, measured`
    : `stated default rates (refactor ${DEFAULT_REPAIR_RATES.refactor}, test ${DEFAULT_REPAIR_RATES.test}, doc ${DEFAULT_REPAIR_RATES.doc} per task) × one repair step (prompt + answer + problems in, the file out)`;
}

function addTo(target: RoleEstimate, usage: Usage, costUSD: number, steps: number, tasks = 1): void {
  target.tasks += tasks;
  target.steps += steps;
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
