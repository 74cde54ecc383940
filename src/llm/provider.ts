import type { ErrorInfo, Usage } from "../core/types.js";

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

  constructor(init: { failure: FailureClass; info: ErrorInfo; status?: number; retryAfterMs?: number; latencyMs: number }) {
    super(init.info.message);
    this.name = "StepFailure";
    this.failure = init.failure;
    this.info = init.info;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.latencyMs = init.latencyMs;
  }
}

export interface ChatProvider {
  /** Resolves with the answer or rejects with a StepFailure; never with anything else. */
  complete(request: ChatRequest, options: { signal: AbortSignal; timeoutMs: number }): Promise<ChatResponse>;
  /** A cheap request proving the endpoint is reachable and the key accepted. */
  preflight(options: { timeoutMs: number }): Promise<void>;
}
