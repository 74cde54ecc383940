import { describe, expect, it } from "vitest";
import { parseResetDuration, readRateLimitHeaders } from "../../../src/llm/rate-limit-headers.js";

describe("x-ratelimit headers", () => {
  it("reads OpenAI's reset durations", () => {
    expect(["6m0s", "1m30.5s", "2s", "250ms", "1h", "3", "soon", "1s2x"].map(parseResetDuration)).toEqual([360_000, 90_500, 2000, 250, 3_600_000, 3000, undefined, undefined]);
  });
  it("reads remaining counts and resets; nothing when the headers are absent", () => {
    expect(readRateLimitHeaders({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s", "x-ratelimit-remaining-tokens": "1200", "x-ratelimit-reset-tokens": "6m0s" })).toEqual({
      remainingRequests: 0,
      resetRequestsMs: 1000,
      remainingTokens: 1200,
      resetTokensMs: 360_000,
    });
    expect(readRateLimitHeaders({ "content-type": "text/event-stream" })).toBeUndefined();
  });
});
