import type { EstimateBrief } from "../events/index.js";
import type { Estimate } from "./estimate.js";

/** The estimate as run.started carries it: totals only, for the views. */
export function estimateBrief(e: Estimate): EstimateBrief {
  return { inputTokens: e.total.inputTokens, cachedInputTokens: e.total.cachedInputTokens, outputTokens: e.total.outputTokens, costUSD: e.total.costUSD, wallMs: e.wallMs };
}
