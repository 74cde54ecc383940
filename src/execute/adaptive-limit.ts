/**
 * AIMD limit on requests in flight. A 429 cuts the limit at most once per window (a window ends when a
 * request started after the last cut finishes), so one burst of 429s from requests launched together
 * counts as one signal, as TCP does per round trip. Each `limit` successes raise it by one, never above `max`.
 *
 * The cut goes to the number of requests the server had admitted ahead of the refused one (the engine
 * counts them), floored at a quarter of the limit; without that count it is ×`decrease` (0.8). Against a
 * server admitting C at once the limit then settles at C–C+1 instead of a sawtooth from 0.8·C, and gets
 * there from 200 in two round trips instead of ten (bench/RESULTS.md, scenario 4).
 */
export interface AdaptiveLimit {
  readonly limit: number;
  readonly max: number;
  /** Call when a request starts; returns the window it belongs to. */
  started(): number;
  /**
   * Returns the new limit when it changed. `admittedAhead`: requests still in flight that started before
   * the refused one (the engine knows); without it the cut is ×decrease.
   */
  rateLimited(startedInWindow: number, admittedAhead?: number): number | undefined;
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
    rateLimited(startedIn, admittedAhead) {
      if (startedIn < window) return undefined;
      window++;
      successes = 0;
      // The requests still in flight that started before the refused one were admitted: that is what the
      // server holds, so the limit goes straight there instead of stepping down ×decrease per round trip
      // (from 200 to a capacity of 20 that took ten round trips, each refusing most of what it sent).
      // Never below a quarter, so one 429 out of the blue (not a capacity signal) costs at most that.
      const next =
        admittedAhead === undefined
          ? Math.max(1, Math.floor(limit * decrease))
          : Math.max(1, Math.min(limit - 1, Math.max(admittedAhead, Math.floor(limit * 0.25))));
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
