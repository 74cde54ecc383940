import { codemodCommit, codemodExtra, codemodSteps, codemodSummary, isCodemodStep, isDoneByCodemod, settleCodemod } from "./codemod/index.js";
import { exitCodeFor, SwarmError, SwarmErrorCode, type Plan, type StepRecord } from "./core/index.js";
import type { RunSummary, Subscriber } from "./events/index.js";
import { countTokens, estimateBrief, estimatePlan, extrapolateSample, projectionBasis, samplePlan, selectSample } from "./estimate/index.js";
import { budgetTooSmall, executePlan } from "./execute/index.js";
import { commitResults, releaseOwnBranch } from "./git/index.js";
import { preflight } from "./llm/index.js";
import { calibrate, diskFullError, openRun, startRunDir, type OpenRun, type RunOptions } from "./open-run.js";
import { tasksByRole } from "./plan/index.js";
import { answerLimits, costOf, isChange, messagesOf, repairRequest, stepRequest } from "./prepare/index.js";
import { buildReport, summaryFromReport, writeReport } from "./report/index.js";
import { Journal, readJournal, recordBranchTip, recordResume, writeSampleFile } from "./run/index.js";
import { writeShardBundle } from "./shard-bundle.js";
import { runValidation } from "./validate/index.js";

export type { RunOptions } from "./open-run.js";

/** The whole run: prepare → preflight → open run → execute → validate → commit → report. Returns the summary the exit code comes from. */
export async function runSwarm(options: RunOptions): Promise<RunSummary> {
  const run = await openRun(options);
  return runOpened(run, options).catch((error: unknown) => {
    throw diskFullError(error, run) ?? error;
  });
}

async function runOpened(run: OpenRun, options: RunOptions): Promise<RunSummary> {
  const { prepared, bus, paths, runId, branch, top, meta } = run;
  const { config, plan, instruction } = prepared;
  for (const warning of prepared.scan.warnings) bus.emit({ type: "run.warning", message: warning });
  assertBudgetPaysOneTask(prepared);
  if (plan.tasks.some((t) => !isDoneByCodemod(prepared.codemod, t))) await preflight(run.provider, config);
  // Recorded once the endpoint answered, so a mistyped --base-url is not carried into the next resume.
  if (meta) await recordResume(paths, meta, run.resumeFlags);
  const prior = [...(meta ? (await readJournal(paths.journal)).records : []), ...codemodSteps(prepared.codemod, plan)];
  const startedAt = meta?.startedAt ?? (await startRunDir(run, options)).startedAt;
  const t0 = performance.now();
  bus.emit({
    type: "run.started", repo: top, branch, roles: plan.roles, tasks: plan.tasks.length, files: plan.files.length, skipped: plan.skips.length,
    concurrency: config.concurrency, model: config.provider.model, estimate: estimateBrief(prepared.estimate), resumed: meta !== null,
    alreadyDone: prior.filter((r) => r.final).length, tasksByRole: tasksByRole(plan),
  });

  const journal = await Journal.open(paths.journal);
  phase(run, "running", plan.tasks.length);
  const executed = await execute(run, options, plan, journal, prior);
  if (config.validate.enabled && prepared.baseline !== null) phase(run, "validating"); // counted by validation: the files it checks
  const validated = await runValidation({
    baseline: prepared.baseline, config, plan, instruction, results: executed.results, isMainPassComplete: executed.stoppedBy === "completed", countTokens,
    isChange: isChange(prepared), onlyFiles: prepared.shard && new Set(plan.tasks.flatMap((t) => [t.file, t.output])), extra: codemodExtra(prepared.codemod),
    engine: {
      provider: run.provider, bus, journal, settings: config, drain: options.drain, abort: options.abort, random: options.random, costUSD: costOf(prepared), answerLimits: answerLimits(prepared),
      spent: { steps: executed.steps.length, costUSD: executed.spentUSD }, prior, requestFor: (task, messages) => repairRequest(prepared, task, messages),
    },
  });
  await journal.close();
  const { results, keepsExtra } = settleCodemod(prepared.codemod, plan, validated?.results ?? executed.results, validated?.unownedBroken);
  const steps = (validated ? [...executed.steps, ...validated.steps] : executed.steps).filter((s) => !isCodemodStep(s));

  if (run.ownTip) await releaseOwnBranch(top, branch, run.ownTip);
  phase(run, "committing");
  const written = await commitResults({ repo: prepared.repo, plan, files: prepared.files, results, branch, instruction, repaired: new Set(validated?.replaced.keys()), bus, codemod: codemodCommit(prepared.codemod, plan, keepsExtra),
    beforeBranch: (sha) => recordBranchTip(paths, branch, sha),
  });
  // After a rejected key too: the engine journals the rejected step as unfinished, so a resume with a good key completes the run.
  const resumeHint = executed.stoppedBy !== "completed" ? `swarm resume ${runId} ${quote(options.repo)}` : undefined;
  const report = buildReport({
    runId, repo: top, branch: written.branch, branchError: written.lostBranch && `${written.lostBranch.message}; ${written.lostBranch.hint}`, baseSha: prepared.repo.headSha, startedAt, durationMs: Math.round(performance.now() - t0),
    stoppedBy: executed.stoppedBy, budget: executed.budget, instruction, models: [...new Set(steps.map((s) => s.model))], plan, results: [...results.values()], steps,
    estimate: prepared.estimate, costUSD: validated?.spentUSD ?? executed.spentUSD, stepCostUSD: (step) => prepared.pricing.costUSD(step.model, step.usage),
    commits: written.commits, validation: validated?.validation ?? null, resumeHint, codemod: prepared.codemod && codemodSummary(prepared.codemod),
  });
  phase(run, "report");
  await writeReport(paths, report);
  if (prepared.shard && run.bundleOut) await writeShardBundle(run, report, run.bundleOut);
  await calibrate(run, plan, steps, prepared.estimate.perTaskUncalibrated);
  const summary = summaryFromReport(report, paths, exitCodeFor(executed.stoppedBy, results, config.maxFailureRate));
  bus.emit({ type: "run.finished", summary });
  if (written.lostBranch) throw written.lostBranch;
  if (executed.fatal) {
    throw new SwarmError(SwarmErrorCode.AuthRejected, executed.fatal.message, {
      hint: `the branch and report were written for what finished (${paths.reportMd}); with a valid key, finish with: ${resumeHint}`,
    });
  }
  return summary;
}

export interface SampleOptions extends Omit<RunOptions, "resume" | "subscribers"> {
  /** How many representative tasks to run (their prerequisites come on top). */
  size: number;
  subscribers?: Subscriber[];
}

export type SampleResult = Awaited<ReturnType<typeof runSample>>;

/**
 * `swarm estimate --sample N`: N representative tasks for real through the same steps as a run, into a run directory
 * `swarm run --from-sample <id>` resumes (no sampled request is sent twice; no branch is written); the rest extrapolated.
 */
export async function runSample(options: SampleOptions) {
  const run = await openRun({ ...options, subscribers: options.subscribers ?? [] });
  const { prepared, paths, runId } = run;
  const selection = selectSample(prepared.plan, options.size);
  const subPlan = samplePlan(prepared.plan, selection);
  await preflight(run.provider, prepared.config);
  await startRunDir(run, options, { size: options.size, taskIds: selection.taskIds });
  const journal = await Journal.open(paths.journal);
  const executed = await execute(run, options, subPlan, journal, codemodSteps(prepared.codemod, subPlan)).finally(() => journal.close());
  // The sample's own static estimate: its prefix-cache pattern (the first request of a role pays the
  // prefix) is the one its bills show, which the whole plan's estimate does not have.
  const sampleEstimate = estimatePlan({ plan: subPlan, config: prepared.config, pricing: prepared.pricing, messagesFor: (task) => messagesOf(prepared, task) });
  const extrapolation = extrapolateSample({
    plan: prepared.plan, planUsage: prepared.estimate.perTaskUncalibrated ?? {}, sampleUsage: sampleEstimate.perTaskUncalibrated ?? {}, steps: executed.steps, pricing: prepared.pricing,
    repairsUSD: prepared.estimate.lines?.repairs.costUSD ?? 0,
  });
  const samplePath = await writeSampleFile(paths, { runId, selection, stoppedBy: executed.stoppedBy, spentUSD: executed.spentUSD, extrapolation });
  await calibrate(run, subPlan, executed.steps, sampleEstimate.perTaskUncalibrated, true);
  return { runId, paths, samplePath, prepared, selection, extrapolation, steps: executed.steps, stoppedBy: executed.stoppedBy };
}

/** The engine over `plan` with the requests, costs and change test both runs share, so a continued sample takes its answers as its own. */
function execute(run: OpenRun, options: Pick<RunOptions, "drain" | "abort" | "random">, plan: Plan, journal: Journal, prior: StepRecord[]) {
  return executePlan({
    plan, provider: run.provider, bus: run.bus, journal, prior, settings: run.prepared.config, requestFor: (task, results, editFailures) => stepRequest(run.prepared, task, results, editFailures),
    costUSD: costOf(run.prepared), isChange: isChange(run.prepared), answerLimits: answerLimits(run.prepared), drain: options.drain, abort: options.abort, random: options.random,
    projection: projectionBasis(run.prepared.estimate),
  });
}

/** Elapsed since the process started, which for the CLI is when the command started. */
const phase = (run: OpenRun, name: "running" | "validating" | "committing" | "report", count?: number) =>
  run.bus.emit({ type: "run.phase", phase: name, elapsedMs: Math.round(performance.now()), ...(count === undefined ? {} : { count }) });

const quote = (s: string) => (/^[\w./-]+$/.test(s) ? s : JSON.stringify(s));

/** Issue 16: a cost budget that cannot pay for one task is the user's to fix, said before any request. */
function assertBudgetPaysOneTask(prepared: OpenRun["prepared"]): void {
  const smallest = budgetTooSmall(prepared.config.maxCostUSD, Object.values(prepared.estimate.perTaskReserveUSD ?? {}));
  if (smallest === null) return;
  throw new SwarmError(SwarmErrorCode.BudgetTooSmall, `--max-cost-usd ${prepared.config.maxCostUSD} cannot pay for one task: the cheapest task reserves $${smallest.toFixed(2)}`, { hint: `the smallest budget that would start: --max-cost-usd ${smallest.toFixed(2)}` });
}
