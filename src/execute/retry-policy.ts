export interface RetrySettings {
  /** Total tries of one step, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before try `attempt + 1` after try `attempt` failed: baseMs·2^(attempt−1) capped at maxMs,
 * ±20% jitter so that hundreds of agents hit by one 429 burst do not return in lockstep.
 * A server's Retry-After wins when it asks for longer; it is honoured even above maxMs.
 */
export function retryDelayMs(attempt: number, settings: RetrySettings, random: () => number, retryAfterMs?: number): number {
  const exponential = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (0.8 + 0.4 * random());
  if (retryAfterMs !== undefined) return Math.round(Math.max(retryAfterMs * (1 + 0.1 * random()), Math.min(jittered, retryAfterMs * 2)));
  return Math.round(jittered);
}

/**
 * Tries a task may spend on 429s, apart from `attempts`: a 429 says nothing about the task, and at a few percent
 * of random refusals a run of 400 tasks would otherwise lose some to three unlucky draws. Still bounded, so a
 * key that is refused for good does not retry forever.
 */
const RATE_LIMITED_ATTEMPTS = 12;

/** Whether try `attempt` may be followed by another; the task's 429s so far (`rateLimited`) do not count. */
export function shouldRetry(attempt: number, settings: RetrySettings, rateLimited = 0, isRateLimited = false): boolean {
  if (isRateLimited) return rateLimited < RATE_LIMITED_ATTEMPTS;
  return attempt - rateLimited < settings.attempts;
}
