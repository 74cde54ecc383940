import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { classifyFailure, type HttpFailure } from "./classify-error.js";
import { StepFailure, type ChatProvider, type ChatRequest, type ChatResponse } from "./provider.js";

export interface OpenAIProviderOptions {
  baseURL: string;
  apiKey: string;
  /** Only used to name the variable in an auth error; the key itself is never put in a message. */
  apiKeyEnv: string;
  /** Whether the endpoint accepts Kimi's `thinking` body field. */
  supportsThinking: boolean;
  /** Injected for tests of timing; defaults to performance.now. */
  now?: () => number;
}

// The only importer of `openai`. Retries are ours (the engine's policy), so the SDK's are off.
export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, maxRetries: 0 });
  const now = options.now ?? (() => performance.now());
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join("<redacted>") : text);

  async function complete(request: ChatRequest, { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number }): Promise<ChatResponse> {
    const started = now();
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages,
      max_tokens: request.maxOutputTokens,
    };
    if (options.supportsThinking && request.thinking !== undefined) {
      body.thinking = { type: request.thinking ? "enabled" : "disabled" };
    }
    try {
      const res = await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, {
        signal: combined,
        timeout: timeoutMs + 1000,
      });
      const choice = res.choices?.[0];
      const usage = res.usage as (OpenAI.CompletionUsage & { cached_tokens?: number }) | undefined;
      const cached = usage?.prompt_tokens_details?.cached_tokens ?? usage?.cached_tokens ?? 0;
      return {
        text: typeof choice?.message?.content === "string" ? choice.message.content : null,
        finishReason: choice?.finish_reason ?? null,
        usage: {
          inputTokens: usage?.prompt_tokens ?? 0,
          cachedInputTokens: cached,
          outputTokens: usage?.completion_tokens ?? 0,
        },
        latencyMs: Math.round(now() - started),
      };
    } catch (error) {
      const latencyMs = Math.round(now() - started);
      const f = toHttpFailure(error, { userAborted: signal.aborted, timedOut: timeout.aborted && !signal.aborted, timeoutMs });
      f.message = redact(f.message);
      const c = classifyFailure(f, options.apiKeyEnv);
      throw new StepFailure({ ...c, status: f.status, latencyMs });
    }
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

  return { complete, preflight };
}

function toHttpFailure(error: unknown, ctx: { userAborted: boolean; timedOut: boolean; timeoutMs: number }): HttpFailure {
  if (ctx.userAborted) return { message: "aborted", aborted: true };
  if (ctx.timedOut || error instanceof APIConnectionTimeoutError) {
    return { message: `no answer within ${ctx.timeoutMs} ms`, timedOut: true };
  }
  if (error instanceof APIUserAbortError) return { message: `no answer within ${ctx.timeoutMs} ms`, timedOut: true };
  if (error instanceof APIConnectionError) {
    return { message: `connection failed: ${rootCause(error)}`, connection: true };
  }
  if (error instanceof APIError) {
    const headers: Record<string, string> = {};
    (error.headers as { forEach(fn: (value: string, key: string) => void): void } | undefined)?.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
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
