import type { ErrorInfo, Usage } from "../core/index.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
  /** Kimi's thinking switch; undefined = the field is not sent. */
  thinking?: boolean;
}

export interface ChatResponse {
  text: string | null;
  finishReason: string | null;
  usage: Usage;
  latencyMs: number;
  /** The endpoint's `x-ratelimit-*` headers, when it sent any. */
  rateLimit?: RateLimitInfo;
}

/** What the standard `x-ratelimit-*` response headers say; each field only when its header was there. */
export interface RateLimitInfo {
  remainingRequests?: number;
  remainingTokens?: number;
  /** ms until the request allowance is full again. */
  resetRequestsMs?: number;
  resetTokensMs?: number;
}

/** Progress of a streamed answer, reported as chunks arrive. */
export interface StreamProgress {
  /** Output tokens so far, reasoning included: estimated from characters until the final usage chunk. */
  outputTokens: number;
  /** ms since the request was sent. */
  elapsedMs: number;
}

export interface CompleteOptions {
  signal: AbortSignal;
  /** Total time the request may take, stream included. */
  timeoutMs: number;
  /** A stream that sends no byte for this long is cancelled (and retried by the engine). */
  stallTimeoutMs?: number;
  /** Called as streamed chunks arrive (content and reasoning alike). */
  onProgress?: (progress: StreamProgress) => void;
  /**
   * An answer longer than this (UTF-8 bytes of content) is cut off as it streams in and the request fails
   * (transient, code "unsafe-answer"): a hostile endpoint's 50 MB never sits in memory.
   */
  maxAnswerBytes?: number;
}

/** How a failed request affects the run. */
export type FailureClass = "transient" | "fatal-task" | "fatal-run";

/** A request that did not produce an answer. Thrown by providers, classified once. */
export class StepFailure extends Error {
  readonly failure: FailureClass;
  readonly info: ErrorInfo;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly latencyMs: number;
  /** What the request cost although it failed (an answer cut off for its size was paid for up to the cut). */
  readonly usage?: Usage;

  constructor(init: { failure: FailureClass; info: ErrorInfo; status?: number; retryAfterMs?: number; latencyMs: number; usage?: Usage }) {
    super(init.info.message);
    this.name = "StepFailure";
    this.failure = init.failure;
    this.info = init.info;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.latencyMs = init.latencyMs;
    if (init.usage) this.usage = init.usage;
  }
}

export interface ChatProvider {
  /** Resolves with the answer or rejects with a StepFailure; never with anything else. */
  complete(request: ChatRequest, options: CompleteOptions): Promise<ChatResponse>;
  /** A cheap request proving the endpoint is reachable and the key accepted. */
  preflight(options: { timeoutMs: number }): Promise<void>;
  /** Whether `text` contains the API key this provider sends; the key itself never leaves the provider. */
  containsApiKey?(text: string): boolean;
}
