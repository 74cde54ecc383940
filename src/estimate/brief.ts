import type { EstimateBrief } from "../events/index.js";
import type { Estimate } from "./estimate.js";

/** The estimate as run.started carries it: totals only, for the views. */
export function estimateBrief(e: Estimate): EstimateBrief {
  return { inputTokens: e.total.inputTokens, cachedInputTokens: e.total.cachedInputTokens, outputTokens: e.total.outputTokens, costUSD: e.total.costUSD, wallMs: e.wallMs };
}

/** What the engine's live projection scales (execute/projection.ts): per-task estimates and what follows the last request. */
export function projectionBasis(e: Estimate): { perTaskUSD: Record<string, number>; afterMs: number; afterUSD: number } {
  return { perTaskUSD: e.perTaskUSD, afterMs: e.timeMs ? e.timeMs.validation + e.timeMs.commit : 0, afterUSD: e.lines?.repairs.costUSD ?? 0 };
}
