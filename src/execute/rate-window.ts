import type { RateLimitInfo } from "../llm/index.js";

// Requests and tokens per minute, kept under a provider's limits on our side so a tier-limited key gets no
// avoidable 429. Pure: times come in as arguments.
//
// A sliding-window log rather than a refilling bucket: a bucket that starts full lets 2 × tpm through in the
// first minute, which a provider counting over any 60 s window refuses. Each request is charged its
// estimated input + output tokens when it starts; when it ends the charge becomes what the usage says (a
// 429 is not charged by the provider, so it is dropped). The window is a little longer than the provider's
// (`guardMs`): our start and the server's arrival are not the same instant.

export interface RateLimits {
  rpm?: number;
  tpm?: number;
}

export interface Charge {
  at: number;
  tokens: number;
}

export class RateWindow {
  private charges: Charge[] = [];
  private readonly limits: RateLimits;
  private readonly windowMs: number;
  /** What the provider's headers said last: allowance left and when it is full again (absolute ms). */
  private server: { requests?: number; requestsUntil?: number; tokens?: number; tokensUntil?: number } = {};

  constructor(limits: RateLimits, windowMs = 60_000, guardMs = Math.round(windowMs * 0.02) + 500) {
    this.limits = limits;
    this.windowMs = windowMs + guardMs;
  }

  /** ms to wait before a request of `tokens` may start; 0 = now. */
  waitMs(now: number, tokens: number): number {
    this.expire(now);
    let wait = 0;
    const { rpm, tpm } = this.limits;
    if (rpm !== undefined && this.charges.length + 1 > rpm) wait = Math.max(wait, this.charges[0].at + this.windowMs - now);
    if (tpm !== undefined && this.charges.length > 0) {
      // A request larger than the whole allowance goes alone, once the window is empty.
      const need = this.used() + Math.min(tokens, tpm) - tpm;
      if (need > 0) wait = Math.max(wait, this.untilFreed(now, need));
    }
    const s = this.server;
    if (s.requests !== undefined && s.requests < 1 && s.requestsUntil !== undefined && s.requestsUntil > now) wait = Math.max(wait, s.requestsUntil - now);
    if (s.tokens !== undefined && s.tokens < tokens && s.tokensUntil !== undefined && s.tokensUntil > now) wait = Math.max(wait, s.tokensUntil - now);
    return Math.max(0, Math.ceil(wait));
  }

  /** Books a starting request; `settle` corrects it once the request ended. */
  charge(now: number, tokens: number): Charge {
    const c = { at: now, tokens };
    this.charges.push(c);
    if (this.server.requests !== undefined) this.server.requests--;
    if (this.server.tokens !== undefined) this.server.tokens -= tokens;
    return c;
  }

  /** The request's real cost: its usage, or 0 when the provider refused it. */
  settle(charge: Charge, tokens: number): void {
    charge.tokens = tokens;
  }

  /** The provider's own count, from the `x-ratelimit-*` headers of an answer received at `now`. */
  observe(now: number, info: RateLimitInfo): void {
    if (info.remainingRequests !== undefined) {
      this.server.requests = info.remainingRequests;
      this.server.requestsUntil = info.resetRequestsMs === undefined ? undefined : now + info.resetRequestsMs;
    }
    if (info.remainingTokens !== undefined) {
      this.server.tokens = info.remainingTokens;
      this.server.tokensUntil = info.resetTokensMs === undefined ? undefined : now + info.resetTokensMs;
    }
  }

  private used(): number {
    let sum = 0;
    for (const c of this.charges) sum += c.tokens;
    return sum;
  }

  private expire(now: number): void {
    while (this.charges.length > 0 && this.charges[0].at <= now - this.windowMs) this.charges.shift();
  }

  /** ms until the oldest charges leave the window and free `need` tokens. */
  private untilFreed(now: number, need: number): number {
    let freed = 0;
    for (const c of this.charges) {
      freed += c.tokens;
      if (freed >= need) return c.at + this.windowMs - now;
    }
    return this.windowMs;
  }
}

/** Tokens a step is charged before it runs: its prompt at about three characters a token (generous for code) and the output it is expected to write. */
export function expectedStepTokens(messages: readonly { content: string }[], expectedOutputTokens: number): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 3) + 8 * messages.length + expectedOutputTokens;
}
