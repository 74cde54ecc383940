// What a model can take and give in one request. A whole-file answer longer than the model's max
// output is cut with finish_reason "length" after it is paid for, on every retry; a prompt the context
// cannot hold is refused after a round trip. Both are known before any request.
import type { ModelLimits } from "../config/index.js";
import builtIn from "./models.json" with { type: "json" };

/** Limits with where they came from (models.json says, per model, which page the figures were read on). */
export interface ModelLimitsEntry extends ModelLimits {
  /** URL the figures were read from; "config" for swarm.config.json `models`. */
  source: string;
  asOf?: string;
  /** False when no page of the model's own provider gave the figure. */
  confirmed: boolean;
  note?: string;
}

/** The table shipped in models.json. */
const BUILT_IN_LIMITS: Readonly<Record<string, ModelLimitsEntry>> = builtIn;

/**
 * The built-in table with config `models` laid over it, field by field. A model in neither has no
 * known limits: nothing is left out for it (the endpoint's own answer is the check).
 */
export function loadModelLimits(overrides: Readonly<Record<string, Partial<ModelLimits>>> = NO_OVERRIDES): (model: string) => ModelLimits | null {
  // Asked once per task (answerFormatOf): building the table each time was 140 ms of a 10,500-task estimate.
  let limitsOf = limitsByOverrides.get(overrides);
  if (!limitsOf) {
    limitsOf = layLimits(overrides);
    limitsByOverrides.set(overrides, limitsOf);
  }
  return limitsOf;
}

const NO_OVERRIDES: Readonly<Record<string, Partial<ModelLimits>>> = Object.freeze({});
const limitsByOverrides = new WeakMap<object, (model: string) => ModelLimits | null>();

function layLimits(overrides: Readonly<Record<string, Partial<ModelLimits>>>): (model: string) => ModelLimits | null {
  const models = new Map<string, Partial<ModelLimits>>(Object.entries(BUILT_IN_LIMITS));
  for (const [model, limits] of Object.entries(overrides)) models.set(model, { ...models.get(model), ...limits });
  return (model) => {
    const limits = models.get(model);
    if (limits?.contextWindow === undefined || limits.maxOutputTokens === undefined) return null;
    return { contextWindow: limits.contextWindow, maxOutputTokens: limits.maxOutputTokens };
  };
}

/** A model's preferred answer format under editFormat "auto" (models.json or config `models`), if it has one. */
export function loadModelFormats(overrides: Readonly<Record<string, { editFormat?: "whole" | "search-replace" }>> = {}): (model: string) => "whole" | "search-replace" | undefined {
  return (model) => overrides[model]?.editFormat ?? (BUILT_IN_LIMITS[model] as { editFormat?: "whole" | "search-replace" } | undefined)?.editFormat;
}

/** Whether one request fits its model; when it does not, which limit it breaks and a reason for the plan. */
export type Fit = { fits: true } | { fits: false; limit: "max-output" | "context"; reason: string };

/**
 * Whether a request whose prompt is `promptTokens` and whose answer is expected to be `answerTokens`
 * fits `model`'s limits (null limits: unknown model, assumed to fit). The answer must fit the max
 * output, and prompt + answer the context window (providers count both against it).
 *
 * A caller with another answer format (search/replace edits instead of the whole file) asks again
 * with that format's expected answer before leaving a task out.
 */
export function fitOf(model: string, limits: ModelLimits | null, need: { promptTokens: number; answerTokens: number }): Fit {
  if (!limits) return { fits: true };
  const { promptTokens, answerTokens } = need;
  if (answerTokens > limits.maxOutputTokens) {
    return {
      fits: false,
      limit: "max-output",
      reason: `its answer (~${answerTokens} tokens) is longer than ${model}'s max output (${limits.maxOutputTokens} tokens)`,
    };
  }
  if (promptTokens + answerTokens > limits.contextWindow) {
    return {
      fits: false,
      limit: "context",
      reason: `its prompt (~${promptTokens} tokens) and answer (~${answerTokens}) do not fit ${model}'s context window (${limits.contextWindow} tokens)`,
    };
  }
  return { fits: true };
}
