import { estimatePlan, loadPricing } from "../estimate/index.js";
import { budgetFitWarnings } from "../plan/index.js";
import { loadCalibrationRatios } from "../run/index.js";
import { preparePlan } from "./prepare-plan.js";
import { messagesOf } from "./requests.js";
import type { PrepareOptions, Prepared } from "./types.js";

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
    messagesFor: (task) => messagesOf(prepared, task),
  });
  prepared.scan.warnings.push(...budgetFitWarnings({ tasks: 0, estimatedUSD: estimate.total.costUSD, maxSteps: Infinity, maxCostUSD: config.maxCostUSD }));
  return { ...prepared, pricing, estimate };
}
