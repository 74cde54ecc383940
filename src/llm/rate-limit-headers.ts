import type { RateLimitInfo } from "./provider.js";

// The `x-ratelimit-*` headers OpenAI (and most compatible providers) send with every answer. Pure.

/** Reads the remaining/reset headers; undefined when none is there. Lower-cased header names. */
export function readRateLimitHeaders(headers: Record<string, string | undefined>): RateLimitInfo | undefined {
  const info: RateLimitInfo = {};
  const count = (name: string) => {
    const raw = headers[name];
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const remainingRequests = count("x-ratelimit-remaining-requests");
  const remainingTokens = count("x-ratelimit-remaining-tokens");
  const resetRequestsMs = parseResetDuration(headers["x-ratelimit-reset-requests"]);
  const resetTokensMs = parseResetDuration(headers["x-ratelimit-reset-tokens"]);
  if (remainingRequests !== undefined) info.remainingRequests = remainingRequests;
  if (remainingTokens !== undefined) info.remainingTokens = remainingTokens;
  if (resetRequestsMs !== undefined) info.resetRequestsMs = resetRequestsMs;
  if (resetTokensMs !== undefined) info.resetTokensMs = resetTokensMs;
  return Object.keys(info).length === 0 ? undefined : info;
}

const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

/** "1m30.5s", "6m0s", "20ms", "2s" (OpenAI's format), or plain seconds; undefined when unreadable. */
export function parseResetDuration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  let ms = 0;
  let consumed = 0;
  for (const match of text.matchAll(PART)) {
    const n = Number(match[1]);
    ms += match[2] === "h" ? n * 3_600_000 : match[2] === "m" ? n * 60_000 : match[2] === "s" ? n * 1000 : n;
    consumed += match[0].length;
  }
  return consumed === 0 || consumed !== text.length ? undefined : Math.round(ms);
}
