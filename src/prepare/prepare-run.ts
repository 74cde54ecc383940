import { codemodSummary, modelPlan, runCodemod } from "../codemod/index.js";
import { usageError } from "../core/index.js";
import { estimatePlan, loadPricing } from "../estimate/index.js";
import { budgetFitWarnings } from "../plan/index.js";
import { loadCalibrationRatios } from "../run/index.js";
import { preparePlan } from "./prepare-plan.js";
import { messagesOf } from "./requests.js";
import { shardPart } from "./shard-part.js";
import type { PrepareOptions, Prepared, PreparedPlan } from "./types.js";

/** The plan, then the estimate over the exact messages the run would send (calibrated by earlier runs). */
export async function prepareRun(options: PrepareOptions, branchToCheck?: string): Promise<Prepared> {
  const planned = await preparePlan(options, branchToCheck);
  const prepared = planned.config.codemod === undefined ? planned : { ...planned, codemod: await codemodPass(planned, planned.config.codemod) };
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
    // A merge rebuilds the branch from the shards' task results: changes no task owns would be lost.
    if (options.shard && prepared.codemod.extra.length > 0) throw usageError(`--codemod ${prepared.codemod.spec} changes files outside the plan (${prepared.codemod.extra[0]!.path}…), which a sharded run cannot carry to the merge`, "run it without --shard");
    estimate.assumptions.push(codemodAssumption(prepared.codemod));
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

function codemodAssumption(pass: NonNullable<PreparedPlan["codemod"]>): string {
  const s = codemodSummary(pass);
  return `codemod ${s.spec}: ${s.done} file(s) done without the model (${s.changed} changed), ${s.handedOff.length} handed off, ${s.failed.length} failed; only those ${s.toModel} are refactored by the model`;
}
