import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { Usage } from "../core/index.js";
import { classifyFailure, type HttpFailure } from "./classify-error.js";
import { StepFailure, type ChatProvider, type ChatRequest, type ChatResponse, type CompleteOptions } from "./provider.js";
import { readRateLimitHeaders } from "./rate-limit-headers.js";

export interface OpenAIProviderOptions {
  baseURL: string;
  apiKey: string;
  /** Only used to name the variable in an auth error; the key itself is never put in a message. */
  apiKeyEnv: string;
  /** Whether the endpoint accepts Kimi's `thinking` body field. */
  supportsThinking: boolean;
  /** Injected for tests of timing; defaults to performance.now. */
  now?: () => number;
  /** false: never ask for a stream. @default true (and false on its own once the endpoint refuses one) */
  stream?: boolean;
}

const DEFAULT_STALL_TIMEOUT_MS = 30_000;

type UsageWire = OpenAI.CompletionUsage & { cached_tokens?: number };

/** An answer over the request's byte cap, cut off as it streamed in. */
class AnswerTooLarge extends Error {
  /** What the answer cost up to the cut: the provider bills what it generated, read or not. */
  readonly usage: Usage;
  constructor(cap: number, usage: Usage) {
    super(`answer too large (more than ${cap} bytes; the cap is ${cap})`);
    this.usage = usage;
  }
}

/** A stream that ended without a finish reason. */
class StreamCutOff extends Error {
  constructor() {
    super("the stream ended before the answer was finished");
  }
}

function usageOf(usage: UsageWire | undefined) {
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? usage?.cached_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
  };
}

// Progress only: about four characters per token. The final usage chunk replaces it.
const estimateTokens = (chars: number) => Math.round(chars / 4);

function headersOf(headers: { forEach(fn: (value: string, key: string) => void): void } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}

/** A 400/404/422 that names streaming: the endpoint has no streaming, not a bad request of ours. */
function refusesStreaming(error: unknown): boolean {
  if (!(error instanceof APIError) || ![400, 404, 415, 422, 501].includes(error.status ?? 0)) return false;
  const body = error.error as { message?: unknown } | undefined;
  const message = `${typeof body?.message === "string" ? body.message : ""} ${error.message}`;
  return /stream/i.test(message);
}

// The only importer of `openai`. Retries are ours (the engine's policy), so the SDK's are off.
// Requests stream: a stream that goes silent for stallTimeoutMs is cancelled (a hung decode is found in
// seconds, not at the end of a total timeout long enough for a large file); an endpoint that refuses
// streaming is asked without it from then on.
export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, maxRetries: 0 });
  const now = options.now ?? (() => performance.now());
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join("<redacted>") : text);
  let canStream = options.stream ?? true;

  async function complete(request: ChatRequest, { signal, timeoutMs, stallTimeoutMs = DEFAULT_STALL_TIMEOUT_MS, onProgress, maxAnswerBytes }: CompleteOptions): Promise<ChatResponse> {
    const started = now();
    const timeout = AbortSignal.timeout(timeoutMs);
    const stall = new AbortController();
    let stallTimer: NodeJS.Timeout | undefined;
    const heardFrom = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => stall.abort(), stallTimeoutMs);
    };
    const combined = AbortSignal.any([signal, timeout, stall.signal]);
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages,
      max_tokens: request.maxOutputTokens,
    };
    if (options.supportsThinking && request.thinking !== undefined) {
      body.thinking = { type: request.thinking ? "enabled" : "disabled" };
    }
    try {
      if (canStream) {
        heardFrom();
        try {
          return await streamed(body, combined, timeoutMs, started, heardFrom, onProgress, maxAnswerBytes);
        } catch (error) {
          if (!refusesStreaming(error)) throw error;
          canStream = false;
        }
        clearTimeout(stallTimer);
      }
      const answer = await unstreamed(body, combined, timeoutMs, started);
      if (maxAnswerBytes !== undefined && Buffer.byteLength(answer.text ?? "", "utf8") > maxAnswerBytes) throw new AnswerTooLarge(maxAnswerBytes, answer.usage);
      return answer;
    } catch (error) {
      const latencyMs = Math.round(now() - started);
      // The model's answer, not the endpoint's failure: another try may be shorter.
      if (error instanceof AnswerTooLarge) throw new StepFailure({ failure: "transient", info: { code: "unsafe-answer", message: error.message }, latencyMs, usage: error.usage });
      const f = toHttpFailure(error, {
        userAborted: signal.aborted,
        timedOut: timeout.aborted && !signal.aborted,
        stalled: stall.signal.aborted && !timeout.aborted && !signal.aborted,
        timeoutMs,
        stallTimeoutMs,
      });
      f.message = redact(f.message);
      const c = classifyFailure(f, options.apiKeyEnv);
      throw new StepFailure({ ...c, status: f.status, latencyMs });
    } finally {
      clearTimeout(stallTimer);
    }
  }

  async function streamed(
    body: Record<string, unknown>,
    signal: AbortSignal,
    timeoutMs: number,
    started: number,
    heardFrom: () => void,
    onProgress: CompleteOptions["onProgress"],
    maxAnswerBytes: number | undefined,
  ): Promise<ChatResponse> {
    const { data: stream, response } = await client.chat.completions
      .create({ ...body, stream: true, stream_options: { include_usage: true } } as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { signal, timeout: timeoutMs + 1000 })
      .withResponse();
    heardFrom();
    let text = "";
    let textBytes = 0;
    let reasoningChars = 0;
    let finishReason: string | null = null;
    let usage: UsageWire | undefined;
    for await (const chunk of stream) {
      heardFrom();
      const choice = chunk.choices?.[0];
      const delta = choice?.delta as { content?: string | null; reasoning_content?: string | null } | undefined;
      if (typeof delta?.content === "string") {
        textBytes += Buffer.byteLength(delta.content, "utf8");
        // Leaving the loop cancels the stream: the rest of the answer is never read.
        if (maxAnswerBytes !== undefined && textBytes > maxAnswerBytes) {
          // The stream reports usage only in its last chunk, which a cut never reads: what it sent so far is
          // counted as the progress display counts it, and the prompt by its length.
          const soFar = { inputTokens: estimateTokens(JSON.stringify(body.messages).length), cachedInputTokens: 0, outputTokens: estimateTokens(text.length + delta.content.length + reasoningChars) };
          throw new AnswerTooLarge(maxAnswerBytes, usage ? usageOf(usage) : soFar);
        }
        text += delta.content;
      }
      if (typeof delta?.reasoning_content === "string") reasoningChars += delta.reasoning_content.length;
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage as UsageWire;
      if (onProgress && (delta?.content || delta?.reasoning_content)) {
        onProgress({ outputTokens: estimateTokens(text.length + reasoningChars), elapsedMs: Math.round(now() - started) });
      }
    }
    // A stream that ends without a finish reason was cut off (proxy timeout, dropped connection).
    if (finishReason === null) throw new StreamCutOff();
    const rateLimit = readRateLimitHeaders(headersOf(response.headers));
    return {
      text,
      finishReason,
      usage: usage ? usageOf(usage) : { inputTokens: 0, cachedInputTokens: 0, outputTokens: estimateTokens(text.length + reasoningChars) },
      latencyMs: Math.round(now() - started),
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  async function unstreamed(body: Record<string, unknown>, signal: AbortSignal, timeoutMs: number, started: number): Promise<ChatResponse> {
    const { data: res, response } = await client.chat.completions
      .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal, timeout: timeoutMs + 1000 })
      .withResponse();
    const choice = res.choices?.[0];
    const rateLimit = readRateLimitHeaders(headersOf(response.headers));
    return {
      text: typeof choice?.message?.content === "string" ? choice.message.content : null,
      finishReason: choice?.finish_reason ?? null,
      usage: usageOf(res.usage as UsageWire | undefined),
      latencyMs: Math.round(now() - started),
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  async function preflight({ timeoutMs }: { timeoutMs: number }): Promise<void> {
    const started = now();
    try {
      await client.models.list({ signal: AbortSignal.timeout(timeoutMs), timeout: timeoutMs });
    } catch (error) {
      // Some OpenAI-compatible servers have no /models; only a connection failure or a
      // rejected key says the endpoint is unusable.
      // A 404 page that is not JSON is a web server, not an OpenAI-compatible API (often a base URL without /v1).
      const isWebPage = error instanceof APIError && error.status === 404 && (error.error === undefined || typeof error.error !== "object");
      if (isWebPage) {
        throw new StepFailure({
          failure: "fatal-task",
          info: { code: "bad-request", message: "HTTP 404: the endpoint answered with a page that is not JSON: is the base URL an OpenAI-compatible API (it usually ends in /v1)?" },
          status: 404,
          latencyMs: Math.round(now() - started),
        });
      }
      if (error instanceof APIError && error.status !== undefined && error.status !== 401 && error.status !== 403) return;
      const f = toHttpFailure(error, { userAborted: false, timedOut: false, timeoutMs });
      f.message = redact(f.message);
      const c = classifyFailure(f, options.apiKeyEnv);
      throw new StepFailure({ ...c, status: f.status, latencyMs: Math.round(now() - started) });
    }
  }

  // Keys shorter than 8 characters would match ordinary code.
  const containsApiKey = (text: string) => options.apiKey.length >= 8 && text.includes(options.apiKey);

  return { complete, preflight, containsApiKey };
}

function toHttpFailure(error: unknown, ctx: { userAborted: boolean; timedOut: boolean; timeoutMs: number; stalled?: boolean; stallTimeoutMs?: number }): HttpFailure {
  if (ctx.userAborted) return { message: "aborted", aborted: true };
  if (ctx.stalled) return { message: `stalled: no data for ${ctx.stallTimeoutMs} ms`, timedOut: true };
  if (error instanceof StreamCutOff) return { message: error.message, connection: true };
  if (ctx.timedOut || error instanceof APIConnectionTimeoutError) {
    return { message: `no answer within ${ctx.timeoutMs} ms`, timedOut: true };
  }
  if (error instanceof APIUserAbortError) return { message: `no answer within ${ctx.timeoutMs} ms`, timedOut: true };
  if (error instanceof APIConnectionError) {
    return { message: `connection failed: ${rootCause(error)}`, connection: true };
  }
  if (error instanceof APIError) {
    const headers = headersOf(error.headers as Parameters<typeof headersOf>[0]);
    const body = error.error as { message?: string } | undefined;
    return { status: error.status, headers, message: body?.message ?? error.message };
  }
  // Invalid JSON bodies and similar surface as plain errors from the SDK: the endpoint answered
  // something unusable, which is worth another try.
  const message = error instanceof Error ? error.message : String(error);
  return { message: `unusable response: ${message}`, connection: true };
}

/** undici nests the useful part (`ECONNREFUSED 127.0.0.1:9`) under "fetch failed": follow the causes down. */
function rootCause(error: Error): string {
  let deepest: { code?: string; message?: string } = error;
  for (let e = (error as { cause?: unknown }).cause, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    deepest = e as { code?: string; message?: string };
  }
  const code = deepest.code;
  const message = deepest.message ?? error.message;
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
