import type { StepKind } from "../core/index.js";
import type { ModelLimits, ResolvedConfig } from "../config/index.js";
import { loadModelLimits } from "./model-limits.js";

export interface Route {
  model: string;
  /** max_tokens for the request. */
  maxOutputTokens: number;
  /** Kimi's thinking switch, only when the config sets it; undefined = the provider's default. */
  thinking?: boolean;
}

/** max_tokens per step kind when config `routing.<kind>.maxOutputTokens` is not set. */
export const DEFAULT_MAX_OUTPUT_TOKENS: Readonly<Record<StepKind, number>> = Object.freeze({
  refactor: 16_384,
  test: 8_192,
  doc: 4_096,
  repair: 16_384,
});

/**
 * Refactor and repair answers are the whole file, so their default limit grows with the file: a limit
 * below the file's size guarantees a "truncated" step and pays for it on every retry. Code runs at
 * about 3–4 bytes per token in o200k-class vocabularies; 3 is the dense end, and ×1.3 leaves room for
 * the fence and growth. An explicit config value is used as given.
 */
const WHOLE_FILE_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(["refactor", "repair"]);
const DENSE_BYTES_PER_TOKEN = 3;
const WHOLE_FILE_HEADROOM = 1.3;

/**
 * Which model serves a step and with what limits, from config `routing.<kind>`:
 * - `lightModel` when set and the file is smaller than `lightMaxBytes`, else `model`, else `provider.model`;
 * - `maxOutputTokens` from config, else the kind's default (raised for whole-file answers, see above,
 *   but never past the model's max output: providers refuse a larger max_tokens);
 * - `thinking` passed through only when configured.
 */
export function modelFor(config: ResolvedConfig, kind: StepKind, fileBytes: number): Route {
  const routing = config.routing[kind];
  const { lightModel, lightMaxBytes } = routing;
  const isLight = lightModel !== undefined && lightMaxBytes !== undefined && fileBytes < lightMaxBytes;
  const model = isLight ? lightModel : (routing.model ?? config.provider.model);
  const maxOutputTokens = routing.maxOutputTokens ?? Math.min(defaultMaxOutputTokens(kind, fileBytes), limitsFor(config)(model)?.maxOutputTokens ?? Infinity);
  return routing.thinking === undefined ? { model, maxOutputTokens } : { model, maxOutputTokens, thinking: routing.thinking };
}

/** modelFor runs once per step: the table is laid over each config once. */
const limitsByConfig = new WeakMap<ResolvedConfig, (model: string) => ModelLimits | null>();

function limitsFor(config: ResolvedConfig): (model: string) => ModelLimits | null {
  let limitsOf = limitsByConfig.get(config);
  if (!limitsOf) {
    limitsOf = loadModelLimits(config.models);
    limitsByConfig.set(config, limitsOf);
  }
  return limitsOf;
}

function defaultMaxOutputTokens(kind: StepKind, fileBytes: number): number {
  const base = DEFAULT_MAX_OUTPUT_TOKENS[kind];
  if (!WHOLE_FILE_KINDS.has(kind) || !Number.isFinite(fileBytes) || fileBytes <= 0) return base;
  return Math.max(base, Math.ceil((fileBytes / DENSE_BYTES_PER_TOKEN) * WHOLE_FILE_HEADROOM));
}
