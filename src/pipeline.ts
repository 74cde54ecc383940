import path from "node:path";
import { loadConfig, type ConfigOverrides } from "./config/load.js";
import type { ResolvedConfig } from "./config/schema.js";
import { SwarmError, usageError } from "./core/errors.js";
import { ExitCode } from "./core/exit-codes.js";
import type { Plan, SourceFile, StepRecord, Task, TaskId, TaskResult } from "./core/types.js";
import { EventBus, type Subscriber } from "./events/bus.js";
import type { RunSummary } from "./events/types.js";
import { estimatePlan, type Estimate } from "./estimate/estimate.js";
import { loadCalibrationRatios, recordCalibration } from "./estimate/calibration-file.js";
import { loadPricing, type Pricing } from "./estimate/pricing.js";
import { modelFor } from "./estimate/routing.js";
import { countTokens } from "./estimate/tokenizer.js";
import { executePlan } from "./execute/engine.js";
import { Journal, readJournal } from "./execute/journal.js";
import { ownBranchTip, releaseOwnBranch } from "./execute/resume-branch.js";
import { createRunDir, newRunId, runDirPaths } from "./execute/run-dir.js";
import { readHeadFiles } from "./git/head.js";
import { checkRepoState, type RepoState } from "./git/repo-state.js";
import { writeBranch } from "./git/worktree.js";
import { StepFailure, type ChatProvider } from "./llm/provider.js";
import { buildPlan } from "./plan/build-plan.js";
import { budgetFitWarnings } from "./plan/budget-fit.js";
import { dropTasks } from "./plan/drop-tasks.js";
import { findUnsafeOutputs } from "./git/output-safety.js";
import { secretReason } from "./scan/secrets.js";
import { buildMessages } from "./prompt/build-messages.js";
import { buildReport, summaryFromReport } from "./report/build-report.js";
import { writeReport } from "./report/write-report.js";
import { scanRepo, type ScanResult } from "./scan/scan.js";
import { readJson, writeFileAtomic } from "./util/fs.js";
import type { Baseline } from "./validate/baseline.js";
import { importMap, refactorContext } from "./validate/prompt-context.js";
import { prepareBaseline, runValidation } from "./validate/validate-run.js";

export interface PrepareOptions {
  repo: string;
  configPath?: string;
  overrides: ConfigOverrides;
  /** Instruction is required for estimate and run, not for plan. */
  needsInstruction: boolean;
  /**
   * Whether HEAD's import graph and problems are taken (validation and prompt context need them). `swarm plan`
   * says false: it needs the graph only to order refactors under "dependencies-first".
   * @default true
   */
  needsBaseline?: boolean;
}

/** What `swarm plan` shows: the task graph and the skips, before any tokenizing or request. */
export interface PreparedPlan {
  repo: RepoState;
  config: ResolvedConfig;
  configSource: string | null;
  instruction: string;
  scan: ScanResult;
  plan: Plan;
  files: Map<string, SourceFile>;
  /** HEAD content of output paths that exist already (tests being updated). */
  existingOutputs: Map<string, string>;
  /** HEAD's import graph and problems, taken before any request; null when neither validation nor context needs it. */
  baseline: Baseline | null;
}

/** Everything known before the first request: what `estimate` shows and `run` executes. */
export interface Prepared extends PreparedPlan {
  pricing: Pricing;
  estimate: Estimate;
}

/**
 * scan → graph → plan, with no request sent:
 * - repo state first, so a wrong path or a bare repo gets its own message;
 * - the scan reads HEAD, which is what the branch will be made from;
 * - tasks whose output may not be written (or read) are left out, each with its reason.
 */
export async function preparePlan(options: PrepareOptions, branchToCheck?: string): Promise<PreparedPlan> {
  const repo = await checkRepoState(path.resolve(options.repo), { branch: branchToCheck });
  // A folder inside a repository scopes the run to it (`swarm run packages/api`); its config sits beside it.
  const { config, source } = await loadConfig(repo.path, options.configPath, options.overrides);
  const instruction = (config.instruction ?? "").trim();
  if (options.needsInstruction && instruction === "") {
    throw usageError("no instruction: pass -i \"what to change\" or set \"instruction\" in swarm.config.json");
  }
  const scan = await scanRepo(repo.top, { ...config, scope: repo.prefix });
  if (scan.files.length === 0) {
    throw nothingToDo(config.include, repo.prefix, scan);
  }
  const baseline = options.needsBaseline === false && config.order !== "dependencies-first" ? null : await prepareBaseline(repo.top, scan, config);
  const imports = baseline && config.order === "dependencies-first" ? { imports: importMap(baseline.graph, scan.files.map((f) => f.path)) } : {};
  const planned = buildPlan({ files: scan.files, skips: scan.skips, allPaths: scan.allPaths, roles: config.roles, order: config.order, root: repo.prefix, ...imports });
  const files = new Map(scan.files.map((f) => [f.path, f]));
  const atHead = new Set(scan.allPaths);
  const outputsAtHead = planned.tasks.map((t) => t.output).filter((p) => !files.has(p) && atHead.has(p));
  const existingOutputs = await readHeadFiles(repo.top, outputsAtHead);
  const plan = dropTasks(planned, await unwritableOutputs(repo.top, planned, existingOutputs));
  for (const d of plan.dropped ?? []) scan.warnings.push(`${d.taskId} left out: ${d.output}: ${d.reason}`);
  scan.warnings.push(...budgetFitWarnings({ tasks: plan.tasks.length, estimatedUSD: 0, maxSteps: config.maxSteps, maxCostUSD: null }));
  return { repo, config, configSource: source, instruction, scan, plan, files, existingOutputs, baseline };
}

/** The plan, then the estimate over the exact messages the run would send (calibrated by earlier runs). */
export async function prepareRun(options: PrepareOptions, branchToCheck?: string): Promise<Prepared> {
  const prepared = await preparePlan(options, branchToCheck);
  const { repo, config, plan } = prepared;
  const pricing = loadPricing(config.pricing);
  const estimate = estimatePlan({
    plan,
    config,
    pricing,
    calibration: await loadCalibrationRatios(repo.top),
    messagesFor: (task) => messagesFor(task, { ...prepared, results: new Map() }),
  });
  prepared.scan.warnings.push(...budgetFitWarnings({ tasks: 0, estimatedUSD: estimate.total.costUSD, maxSteps: Infinity, maxCostUSD: config.maxCostUSD }));
  return { ...prepared, pricing, estimate };
}

function nothingToDo(include: readonly string[], prefix: string, scan: ScanResult): SwarmError {
  const where = `at HEAD${prefix ? ` under ${prefix}/` : ""}`;
  // Secret-named files anywhere are listed as skips too; only the others were matched by include.
  const matched = scan.skips.filter((s) => s.reason !== "secret-name");
  if (matched.length === 0) return new SwarmError("SWARM_NOTHING_TO_DO", `no source files to work on: the include globs ${JSON.stringify(include)} matched nothing ${where}`, { hint: "set include in swarm.config.json, or pass the folder that holds the code" });
  const byReason = new Map<string, number>();
  for (const s of matched) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  const reasons = [...byReason].map(([reason, n]) => `${n} ${reason}`).join(", ");
  return new SwarmError("SWARM_NOTHING_TO_DO", `no source files to work on: all ${matched.length} file(s) the include globs matched ${where} were skipped (${reasons})`, { hint: "swarm plan --json lists each skip with its reason" });
}

export interface RunOptions extends PrepareOptions {
  /** Builds the provider once the config is known; throws a SwarmError when the API key is missing. */
  providerFor(config: ResolvedConfig): ChatProvider;
  branch?: string;
  /** Resume this run id from its journal instead of starting a new run. */
  resume?: string;
  subscribers: Subscriber[];
  drain: AbortSignal;
  abort: AbortSignal;
  random?: () => number;
}

export interface RunMeta {
  runId: string;
  branch: string;
  headSha: string;
  instruction: string;
  startedAt: string;
  options: { configPath?: string; overrides: ConfigOverrides };
}

/** The whole run: prepare → preflight → execute → validate/repair → commit → report. Returns the summary the exit code comes from. */
export async function runSwarm(options: RunOptions): Promise<RunSummary> {
  const top = (await checkRepoState(path.resolve(options.repo), {})).top;
  const meta = options.resume ? await readJson<RunMeta>(runDirPaths(top, options.resume).meta).catch(() => {
    throw usageError(`no run ${options.resume} in ${path.join(top, ".swarm", "runs")}`, "swarm report lists the runs of a repository");
  }) : null;
  const runId = meta?.runId ?? newRunId();
  const branch = meta?.branch ?? options.branch ?? `swarm/${runId}`;
  // A drained run wrote its branch already; its resume replaces it (only while it is as that run left it).
  const ownTip = meta ? await ownBranchTip(top, runDirPaths(top, runId).reportJson, branch) : null;
  const prepared = await prepareRun(meta ? { ...options, ...meta.options, needsInstruction: true } : options, ownTip ? undefined : branch);
  if (meta && prepared.repo.headSha !== meta.headSha) {
    throw usageError(`HEAD moved since run ${runId} started (was ${meta.headSha.slice(0, 12)}, now ${prepared.repo.headSha.slice(0, 12)})`, "check out the original commit to resume, or start a new run");
  }
  const { config, plan, instruction } = prepared;
  const provider = options.providerFor(config);
  const paths = runDirPaths(top, runId);
  const bus = new EventBus(runId);
  for (const s of options.subscribers) bus.subscribe(s);
  for (const warning of prepared.scan.warnings) bus.emit({ type: "run.warning", message: warning });

  await preflight(provider, config);

  const prior = meta ? (await readJournal(paths.journal)).records : [];
  const startedAt = meta?.startedAt ?? new Date().toISOString();
  if (!meta) {
    await createRunDir(top, runId);
    await writeFileAtomic(paths.plan, JSON.stringify(plan, null, 2) + "\n");
    const newMeta: RunMeta = { runId, branch, headSha: prepared.repo.headSha, instruction, startedAt, options: { configPath: options.configPath, overrides: options.overrides } };
    await writeFileAtomic(paths.meta, JSON.stringify(newMeta, null, 2) + "\n");
  }
  const t0 = performance.now();
  bus.emit({
    type: "run.started",
    repo: top,
    branch,
    roles: plan.roles,
    tasks: plan.tasks.length,
    files: plan.files.length,
    skipped: plan.skips.length,
    concurrency: config.concurrency,
    model: config.provider.model,
    estimate: briefOf(prepared.estimate),
    resumed: meta !== null,
    alreadyDone: prior.filter((r) => r.final).length,
  });

  const journal = await Journal.open(paths.journal);
  const executed = await executePlan({
    plan,
    provider,
    bus,
    journal,
    prior,
    settings: config,
    requestFor: (task, results) => stepRequest(prepared, task, results),
    costUSD: (model, usage) => prepared.pricing.costUSD(model, usage),
    isChange: (task, content) => normalize(content) !== normalize(originalOf(task, prepared) ?? ""),
    drain: options.drain,
    abort: options.abort,
    random: options.random,
  });
  const validated = await runValidation({
    baseline: prepared.baseline, config, plan, instruction, results: executed.results, isMainPassComplete: executed.stoppedBy === "completed", countTokens,
    isChange: (task, content) => normalize(content) !== normalize(originalOf(task, prepared) ?? ""),
    engine: {
      provider, bus, journal, settings: config, drain: options.drain, abort: options.abort, random: options.random,
      costUSD: (model, usage) => prepared.pricing.costUSD(model, usage),
      spent: { steps: executed.steps.length, costUSD: executed.spentUSD },
      prior,
      requestFor: (task, messages) => {
        const route = modelFor(config, "repair", task.bytes);
        return { request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens, thinking: route.thinking }, estimatedUSD: prepared.estimate.perTaskUSD?.[task.id] ?? 0 };
      },
    },
  });
  await journal.close();
  const results = validated?.results ?? executed.results;
  const steps = validated ? [...executed.steps, ...validated.steps] : executed.steps;

  if (ownTip) await releaseOwnBranch(top, branch, ownTip);
  const written = await commitResults(prepared, results, branch, instruction, bus, new Set(validated?.replaced.keys()));
  const durationMs = Math.round(performance.now() - t0);
  const incomplete = executed.stoppedBy !== "completed";
  // After a rejected key too: the engine journals the rejected step as unfinished, so a resume with a good key completes the run.
  const resumeHint = incomplete ? `swarm resume ${runId} ${quote(options.repo)}` : undefined;
  const report = buildReport({
    runId,
    repo: top,
    branch: written ? branch : null,
    baseSha: prepared.repo.headSha,
    startedAt,
    durationMs,
    stoppedBy: executed.stoppedBy,
    budget: executed.budget,
    instruction,
    models: [...new Set(steps.map((s) => s.model))],
    plan,
    results: [...results.values()],
    steps,
    estimate: prepared.estimate,
    costUSD: validated?.spentUSD ?? executed.spentUSD,
    stepCostUSD: (step) => prepared.pricing.costUSD(step.model, step.usage),
    commits: (written?.commits ?? []).map((c) => ({ role: roleOfCommit(c.message) ?? "repair", sha: c.sha, files: c.files })),
    validation: validated?.validation ?? null,
    resumeHint,
  });
  await writeReport(paths, report);
  const calibrationWarning = await recordCalibration(top, { runId, finishedAt: new Date().toISOString(), plan, steps: executed.steps, perTaskUncalibrated: prepared.estimate.perTaskUncalibrated ?? {} });
  if (calibrationWarning) bus.emit({ type: "run.warning", message: calibrationWarning });
  const exitCode = exitCodeFor(executed.stoppedBy, results, config.maxFailureRate);
  const summary = summaryFromReport(report, paths, exitCode);
  bus.emit({ type: "run.finished", summary });
  if (executed.fatal) {
    throw new SwarmError("SWARM_AUTH_REJECTED", executed.fatal.message, {
      hint: `the branch and report were written for what finished (${paths.reportMd}); with a valid key, finish with: ${resumeHint}`,
    });
  }
  return summary;
}

/**
 * Tasks whose output may not be touched, found before any request: an output that is a symlink or
 * submodule at HEAD (or under one), and an existing test or doc that holds a secret (it would be sent).
 */
async function unwritableOutputs(top: string, plan: Plan, existingOutputs: ReadonlyMap<string, string>): Promise<Map<TaskId, string>> {
  const unsafe = await findUnsafeOutputs(top, plan.tasks.map((t) => t.output));
  const reasons = new Map<TaskId, string>();
  for (const task of plan.tasks) {
    const existing = existingOutputs.get(task.output);
    const secret = existing === undefined ? null : secretReason(task.output, existing);
    const why = unsafe.get(task.output) ?? (secret ? `it exists at HEAD and ${secret}; it is never sent` : undefined);
    if (why) reasons.set(task.id, why);
  }
  return reasons;
}

/** One cheap request before any task is queued: a wrong URL or key fails here, fast. */
export async function preflight(provider: ChatProvider, config: ResolvedConfig): Promise<void> {
  try {
    await provider.preflight({ timeoutMs: Math.min(config.timeoutMs, 15_000) });
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    if (error.failure === "fatal-run") throw new SwarmError("SWARM_AUTH_REJECTED", error.info.message, { hint: "nothing was sent besides one preflight request" });
    throw new SwarmError("SWARM_ENDPOINT_UNREACHABLE", `cannot reach ${config.provider.baseURL}: ${error.info.message}`, {
      hint: "check provider.baseURL (or --base-url); no task was started",
    });
  }
}

/**
 * One commit per role, in role order; a failed task leaves its output path as HEAD has it. Tasks that
 * validation repaired go in with the agent's answer (`replaced`), and one last `swarm(repair)` commit
 * holds the fixes, so the repair is a diff of its own.
 */
/**
 * One commit per role, in role order; a failed or reverted task leaves its output path as HEAD has it.
 * Repaired files go into their role's commit as repaired, so every commit on the branch is as consistent
 * as its tip (bisect and per-commit CI stay green); the report lists each repair with its problems.
 */
async function commitResults(prepared: Prepared, results: Map<TaskId, TaskResult>, branch: string, instruction: string, bus: EventBus, repaired: ReadonlySet<TaskId> = new Set()) {
  const title = instruction.split("\n")[0]!.slice(0, 60);
  const commits = prepared.plan.roles.map((role) => {
    const done = prepared.plan.tasks
      .map((t) => results.get(t.id)!)
      .filter((r) => r.role === role && r.status === "succeeded" && (r.changed || repaired.has(r.id)));
    return {
      message: `swarm(${role}): ${title}\n\n${done.map((r) => `- ${r.output}${repaired.has(r.id) ? " (repaired)" : ""}`).join("\n")}\n`,
      files: done.map((r) => {
        const source = prepared.files.get(r.output);
        return { path: r.output, content: r.content!, mode: source?.mode, original: source ? { hasBom: source.hasBom, eol: source.eol, hasFinalNewline: source.hasFinalNewline } : undefined };
      }),
    };
  });
  const written = await writeBranch({ repo: prepared.repo.top, headSha: prepared.repo.headSha, branch, commits });
  for (const [i, c] of written.commits.entries()) {
    bus.emit({ type: "commit.created", branch, role: roleOfCommit(c.message) ?? prepared.plan.roles[i]!, sha: c.sha, files: c.files });
  }
  return written;
}

export function exitCodeFor(stoppedBy: string, results: Map<TaskId, TaskResult>, maxFailureRate: number): number {
  if (stoppedBy === "auth") return ExitCode.Usage;
  const all = [...results.values()];
  // A task that never ran (interrupt, budget) is work not done, not a failure the tolerance forgives:
  // CI must not take a partial run for a pass.
  if (all.some((r) => r.status === "not-run")) return ExitCode.TasksFailed;
  const failed = all.filter((r) => r.status === "failed").length;
  if (failed === 0) return ExitCode.Ok;
  return failed / all.length <= maxFailureRate ? ExitCode.Ok : ExitCode.TasksFailed;
}

/**
 * The request a task's next step sends, and the dollars the budget holds for it while in flight: the
 * estimate's reserve (with headroom) where there is one. Test and doc tasks see their refactor's result.
 */
export function stepRequest(prepared: Prepared, task: Task, results: ReadonlyMap<TaskId, TaskResult>) {
  const route = modelFor(prepared.config, task.role, task.bytes);
  const messages = messagesFor(task, { ...prepared, results });
  return {
    request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens, thinking: route.thinking },
    estimatedUSD: prepared.estimate.perTaskReserveUSD?.[task.id] ?? prepared.estimate.perTaskUSD?.[task.id] ?? 0,
  };
}

export interface MessageContext {
  config: ResolvedConfig;
  instruction: string;
  files: Map<string, SourceFile>;
  existingOutputs: Map<string, string>;
  results: ReadonlyMap<TaskId, TaskResult>;
  /** For the imports' signatures in refactor prompts; absent or null: no context. */
  baseline?: Baseline | null;
}

export function messagesFor(task: Task, ctx: MessageContext) {
  const file = ctx.files.get(task.file)!;
  const refactor = task.role === "refactor" ? undefined : ctx.results.get(`refactor:${task.file}`);
  const content = refactor?.status === "succeeded" && refactor.content !== undefined ? refactor.content : file.content;
  const existing = ctx.existingOutputs.get(task.output);
  const context = refactorContext(task, ctx.baseline?.graph ?? null, ctx.results, { maxTokens: ctx.config.context.maxTokens, countTokens });
  return buildMessages({
    task,
    instruction: ctx.instruction,
    conventions: ctx.config.conventions,
    source: { path: task.file, content },
    ...(existing !== undefined && task.output !== task.file ? { existingOutput: existing } : {}),
    ...(context !== undefined ? { context } : {}),
  });
}

function originalOf(task: Task, prepared: Prepared): string | undefined {
  return prepared.files.get(task.output)?.content ?? prepared.existingOutputs.get(task.output);
}

const normalize = (s: string) => s.replace(/\r\n/g, "\n").replace(/\n+$/, "");
const quote = (s: string) => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));
const roleOfCommit = (message: string) => /^swarm\((refactor|test|doc|repair)\)/.exec(message)?.[1] as "refactor" | "test" | "doc" | "repair" | undefined;

function briefOf(e: Estimate) {
  return { inputTokens: e.total.inputTokens, cachedInputTokens: e.total.cachedInputTokens, outputTokens: e.total.outputTokens, costUSD: e.total.costUSD, wallMs: e.wallMs };
}

export type { StepRecord };
