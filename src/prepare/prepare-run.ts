import { estimatePlan, loadPricing } from "../estimate/index.js";
import { budgetFitWarnings } from "../plan/index.js";
import { loadCalibrationRatios } from "../run/index.js";
import { preparePlan } from "./prepare-plan.js";
import { messagesOf } from "./requests.js";
import { shardPart } from "./shard-part.js";
import type { PrepareOptions, Prepared } from "./types.js";

/** The plan, then the estimate over the exact messages the run would send (calibrated by earlier runs). */
export async function prepareRun(options: PrepareOptions, branchToCheck?: string): Promise<Prepared> {
  const prepared = await preparePlan(options, branchToCheck);
  const { repo, config, plan } = prepared;
  const pricing = loadPricing(config.pricing);
  const calibration = await loadCalibrationRatios(repo.top);
  const estimate = estimatePlan({
    plan,
    config,
    pricing,
    calibration,
    messagesFor: (task) => messagesOf(prepared, task),
    ...(options.onEstimateProgress ? { onProgress: options.onEstimateProgress } : {}),
  });
  const whole: Prepared = { ...prepared, pricing, estimate };
  const run = options.shard ? shardPart(whole, options.shard, calibration) : whole;
  prepared.scan.warnings.push(...budgetFitWarnings({ tasks: 0, estimatedUSD: run.estimate.total.costUSD, maxSteps: Infinity, maxCostUSD: run.config.maxCostUSD }));
  return run;
}
