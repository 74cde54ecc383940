import { type Usage, usageError } from "../core/index.js";
import type { ModelPrice } from "../config/index.js";
import builtIn from "./pricing.json" with { type: "json" };

/** A price with where it came from. Built-in entries say how sure we are; config entries are the user's word. */
export interface PriceEntry extends ModelPrice {
  /** URL or document name the figures were read from; "config" for swarm.config.json `pricing`. */
  source: string;
  /** Date (YYYY-MM-DD) of the observation the figures come from; absent for config entries. */
  asOf?: string;
  /** False when no official page was read for this figure (secondary sources only). */
  confirmed: boolean;
  note?: string;
}

export interface Pricing {
  readonly models: Readonly<Record<string, PriceEntry>>;
  /** Throws a usage error for a model the table and config do not know. */
  priceOf(model: string): PriceEntry;
  /** USD for one request's billed usage; `usage.inputTokens` includes the cached ones. */
  costUSD(model: string, usage: Usage): number;
}

/** The table shipped in pricing.json. */
export const BUILT_IN_PRICES: Readonly<Record<string, PriceEntry>> = builtIn;

/**
 * The built-in table with config `pricing` laid over it, field by field: an override may change one
 * figure of a known model and keep the rest (minCacheTokens included).
 */
export function loadPricing(overrides: Readonly<Record<string, ModelPrice>> = {}): Pricing {
  const models: Record<string, PriceEntry> = { ...BUILT_IN_PRICES };
  for (const [model, price] of Object.entries(overrides)) {
    models[model] = { ...models[model], ...price, source: "config", confirmed: true, asOf: undefined, note: undefined };
  }
  Object.freeze(models);

  function priceOf(model: string): PriceEntry {
    // Own-property check: a model called "constructor" must not find Object.prototype's.
    if (Object.hasOwn(models, model)) return models[model];
    throw usageError(
      `no price known for model "${model}" (known: ${Object.keys(models).sort().join(", ")})`,
      `add it to swarm.config.json: "pricing": { "${model}": { "inputPerMTok": …, "cachedInputPerMTok": …, "outputPerMTok": … } } (USD per million tokens)`,
    );
  }

  return {
    models,
    priceOf,
    costUSD(model, usage) {
      return costOf(priceOf(model), usage);
    },
  };
}

/** Uncached input at the input rate, cached input at the cached rate, output at the output rate. */
export function costOf(price: ModelPrice, usage: Usage): number {
  const cached = Math.max(0, Math.min(usage.cachedInputTokens, usage.inputTokens));
  const uncached = Math.max(0, usage.inputTokens - cached);
  return (uncached * price.inputPerMTok + cached * price.cachedInputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
