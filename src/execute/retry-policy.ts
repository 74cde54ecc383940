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

export const shouldRetry = (attempt: number, settings: RetrySettings) => attempt < settings.attempts;
