/**
 * The limit on requests in flight, telling capacity from noise. Pure: the engine feeds it each request's end.
 *
 * Providers send two kinds of 429: "you are over capacity" (most of what is sent beyond C is refused) and
 * isolated refusals unrelated to load (a few percent, whatever the concurrency). A limit that halves on every
 * 429 collapses under the second kind and never comes back. So:
 * - the limit looks at the share of 429s among the last max(20, limit) request ends, not at single 429s;
 * - a share up to `noiseShare` (20%) is noise: each refused request waits out its own backoff or Retry-After
 *   and nothing else slows down;
 * - above it (or at 8+ refusals making up most of the recent ends: a flood) the limit is cut to what the
 *   server is taking: the larger of the fewest requests it had admitted ahead of a refused one (counted by
 *   the engine) and limit × (1 − share of 429s). A server admitting 20 out of 200 goes 200 → 20 at once; a
 *   burst of refusals at 25% costs a quarter, not a half;
 * - a step above the capacity found that draws a 429 goes straight back to it;
 * - requests started before a cut do not count after it (their 429s describe the old limit);
 * - it grows by one per `limit` usable answers while the share of 429s stays under `growShare` (10%), never
 *   above `max`; past the level of the last cut (the capacity found) only while no 429 came back at all. So
 *   it returns to the configured concurrency after a quiet stretch, and sits one above a server's capacity
 *   instead of probing further and drawing more refusals.
 * Every change comes with its reason ("12 of the last 40 requests rate-limited").
 */
export interface LimitChange {
  limit: number;
  reason: "rate-limited" | "recovered";
  /** Human-readable: what the limit saw. */
  detail: string;
}

export interface AdaptiveLimit {
  readonly limit: number;
  readonly max: number;
  /** Call when a request starts; returns the epoch it belongs to. */
  started(): number;
  /** A 429. `admittedAhead`: requests still in flight that started before the refused one. */
  rateLimited(startedIn: number, admittedAhead?: number): LimitChange | undefined;
  /** A request that ended in anything but a 429; `usable` when it gave a usable answer. */
  ended(startedIn: number, usable: boolean): LimitChange | undefined;
}

export interface AdaptiveLimitOptions {
  /** Share of 429s among recent requests tolerated as noise. @default 0.2 */
  noiseShare?: number;
  /** Share of 429s under which the limit may grow. @default 0.1 */
  growShare?: number;
  /** Fewest recent request ends a cut needs: this many, or half the limit when that is more, and never more than the limit. @default 20 */
  minSample?: number;
}

export function createAdaptiveLimit(max: number, options: AdaptiveLimitOptions = {}): AdaptiveLimit {
  const noiseShare = options.noiseShare ?? 0.2;
  const growShare = options.growShare ?? 0.1;
  const minSample = options.minSample ?? 20;
  let limit = max;
  let epoch = 0;
  let successes = 0;
  // Recent request ends (true = 429), oldest first; at most max(20, limit).
  let recent: boolean[] = [];
  let refused = 0;
  /** The limit the last cut set: the capacity the server showed. */
  let ceiling = max;
  let fewestAhead = Infinity;

  const record = (isRateLimited: boolean) => {
    recent.push(isRateLimited);
    if (isRateLimited) refused++;
    const size = Math.max(minSample, limit);
    while (recent.length > size) if (recent.shift()) refused--;
  };
  const share = () => (recent.length === 0 ? 0 : refused / recent.length);

  return {
    get limit() {
      return limit;
    },
    max,
    started: () => epoch,
    rateLimited(startedIn, admittedAhead) {
      if (startedIn < epoch) return undefined;
      record(true);
      // The fewest admitted ahead of any refusal since the last cut: later refusals also count, as "ahead",
      // the refused requests whose 429 has not been read yet.
      if (admittedAhead !== undefined) fewestAhead = Math.min(fewestAhead, admittedAhead);
      const sample = recent.length;
      const seen = `${refused} of the last ${sample} requests rate-limited`;
      // A step above the capacity found that draws a 429 was a probe that failed: straight back.
      const isProbe = limit > ceiling;
      // Most of a burst refused is capacity at once; a share above noise needs a fair sample to count.
      const isFlood = refused >= 8 && share() > 0.5;
      const isOverNoise = sample >= Math.min(limit, Math.max(minSample, limit / 2)) && share() > noiseShare;
      if (!isProbe && !isFlood && !isOverNoise) return undefined;
      const byShare = isProbe ? ceiling : Math.floor(limit * (1 - share()));
      const next = Math.max(1, Math.min(limit - 1, Math.max(Number.isFinite(fewestAhead) ? fewestAhead : 0, byShare)));
      epoch++;
      fewestAhead = Infinity;
      recent = [];
      refused = 0;
      successes = 0;
      if (next === limit) return undefined;
      if (!isProbe) ceiling = next;
      limit = next;
      return { limit, reason: "rate-limited", detail: seen };
    },
    ended(startedIn, usable) {
      if (startedIn < epoch) return undefined;
      record(false);
      // Past the capacity found, growth needs a whole window without a 429 (the window restarts at each cut).
      const isQuiet = refused === 0 && recent.length >= Math.max(minSample, limit);
      if (!usable || limit >= max || share() >= growShare || (limit >= ceiling && !isQuiet)) return undefined;
      successes++;
      if (successes < limit) return undefined;
      successes = 0;
      limit = Math.min(max, limit + 1);
      return { limit, reason: "recovered", detail: `${recent.length - refused} of the last ${recent.length} requests answered` };
    },
  };
}
