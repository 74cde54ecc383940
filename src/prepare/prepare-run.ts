import { codemodSummary, modelPlan, runCodemod, type CodemodPass } from "../codemod/index.js";
import { usageError } from "../core/index.js";
import { estimatePlan, loadPricing } from "../estimate/index.js";
import { budgetFitWarnings, dropTasks } from "../plan/index.js";
import { loadCalibrationRatios } from "../run/index.js";
import { preparePlan } from "./prepare-plan.js";
import { messagesOf } from "./requests.js";
import { shardPart } from "./shard-part.js";
import type { PrepareOptions, Prepared, PreparedPlan } from "./types.js";

/** The plan, then the estimate over the exact messages the run would send (calibrated by earlier runs). */
export async function prepareRun(options: PrepareOptions, branchToCheck?: string): Promise<Prepared> {
  const planned = await preparePlan(options, branchToCheck);
  const prepared = planned.config.codemod === undefined ? planned : withCodemod(planned, await codemodPass(planned, planned.config.codemod));
  // A merge rebuilds the branch from the shards' task results: changes no task owns would be lost. Said before the estimate.
  if (options.shard && prepared.codemod && prepared.codemod.extra.length > 0) throw usageError(`--codemod ${prepared.codemod.spec} changes files outside the plan (${prepared.codemod.extra[0]!.path}…), which a sharded run cannot carry to the merge`, "run it without --shard");
  const { repo, config, plan } = prepared;
  const pricing = loadPricing(config.pricing);
  const calibration = await loadCalibrationRatios(repo.top);
  options.onPhase?.("estimating", plan.tasks.length);
  const estimate = estimatePlan({
    // Priced: the tasks that reach the model. A refactor the codemod finished costs nothing.
    plan: modelPlan(plan, prepared.codemod),
    config,
    pricing,
    calibration,
    messagesFor: (task) => messagesOf(prepared, task),
    ...(options.onEstimateProgress ? { onProgress: options.onEstimateProgress } : {}),
  });
  if (prepared.codemod) {
    estimate.assumptions.push(codemodAssumption(prepared.codemod));
    const unchanged = (plan.dropped ?? []).filter((d) => d.reason.startsWith("the codemod left ")).length;
    if (unchanged > 0) estimate.assumptions.push(`${unchanged} test and doc task(s) of files the codemod left unchanged are left out: nothing new to test or document`);
    prepared.scan.warnings.push(...prepared.codemod.problems.map((p) => `codemod: ${p}`));
  }
  const whole: Prepared = { ...prepared, pricing, estimate };
  const run = options.shard ? shardPart(whole, options.shard, calibration) : whole;
  prepared.scan.warnings.push(...budgetFitWarnings({ tasks: 0, estimatedUSD: run.estimate.total.costUSD, maxSteps: Infinity, maxCostUSD: run.config.maxCostUSD }));
  return run;
}

/**
 * The codemod pass (issue 18) on the run's view of the repository: HEAD's text in memory, the import graph validation
 * uses. Nothing is written; `swarm estimate --codemod` takes the same pass as a dry run.
 */
async function codemodPass(prepared: PreparedPlan, spec: string) {
  const { baseline, repo } = prepared;
  const files = baseline?.files ?? new Map([...prepared.files].map(([path, f]) => [path, f.content]));
  return runCodemod({
    spec,
    repoTop: repo.top,
    instruction: prepared.instruction,
    plan: prepared.plan,
    files,
    otherPaths: baseline ? [...baseline.graph.otherPaths] : prepared.scan.allPaths.filter((p) => !files.has(p)),
    ...(baseline ? { graph: baseline.graph } : {}),
  });
}

/**
 * The pass joins the plan; a file it finished without changing it gets no test or doc task: there is nothing new to
 * test or document. A rename in hono touched 2 of 248 files, and 480 test and doc requests ($2.15) were planned for
 * the other 246.
 */
function withCodemod(planned: PreparedPlan, pass: CodemodPass): PreparedPlan {
  const unchanged = new Map<string, string>();
  for (const task of planned.plan.tasks) {
    const outcome = pass.files.get(task.file);
    if (task.role !== "refactor" && outcome?.status === "done" && !outcome.changed) unchanged.set(task.id, `the codemod left ${task.file} unchanged`);
  }
  // A test or doc a built-in edited (a rename reaches hono's src/utils/url.test.ts) is that task's starting point:
  // updating HEAD's copy would put the old name back.
  const existingOutputs = new Map(planned.existingOutputs);
  for (const change of pass.extra) if (change.content !== null && existingOutputs.has(change.path)) existingOutputs.set(change.path, change.content);
  return { ...planned, plan: dropTasks(planned.plan, unchanged), existingOutputs, codemod: pass };
}

function codemodAssumption(pass: NonNullable<PreparedPlan["codemod"]>): string {
  const s = codemodSummary(pass);
  return `codemod ${s.spec}: ${s.done} file(s) done without the model (${s.changed} changed), ${s.handedOff.length} handed off, ${s.failed.length} failed; only those ${s.toModel} are refactored by the model`;
}
