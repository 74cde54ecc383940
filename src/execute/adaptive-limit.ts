/**
 * AIMD limit on requests in flight. A 429 cuts the limit by `decrease` at most once per
 * window (a window ends when a request started after the last cut finishes), so one burst of
 * 429s from requests launched together counts as one signal, as TCP does per round trip.
 * Each `limit` successes raise it by one, never above `max`.
 *
 * The cut is 0.8 rather than TCP's 0.5: the server stays saturated whenever the limit is above
 * its capacity, so utilisation is lost only on the way back up; 0.8 keeps the sawtooth's
 * average above 90% of capacity (see bench/).
 */
export interface AdaptiveLimit {
  readonly limit: number;
  readonly max: number;
  /** Call when a request starts; returns the window it belongs to. */
  started(): number;
  /** Returns the new limit when it changed. */
  rateLimited(startedInWindow: number): number | undefined;
  succeeded(startedInWindow: number): number | undefined;
}

export function createAdaptiveLimit(max: number, decrease = 0.8): AdaptiveLimit {
  let limit = max;
  let window = 0;
  let successes = 0;
  return {
    get limit() {
      return limit;
    },
    max,
    started: () => window,
    rateLimited(startedIn) {
      if (startedIn < window) return undefined;
      window++;
      successes = 0;
      const next = Math.max(1, Math.floor(limit * decrease));
      if (next === limit) return undefined;
      limit = next;
      return limit;
    },
    succeeded(startedIn) {
      if (limit >= max) return undefined;
      if (startedIn < window) return undefined;
      successes++;
      if (successes < limit) return undefined;
      successes = 0;
      limit = Math.min(max, limit + 1);
      return limit;
    },
  };
}
