import type { ErrorInfo } from "../core/index.js";
import type { FailureClass } from "./provider.js";

export interface HttpFailure {
  status?: number;
  /** Lower-cased header names. */
  headers?: Record<string, string | undefined>;
  message: string;
  /** The request was cancelled by our own per-step timeout. */
  timedOut?: boolean;
  /** The request was cancelled because the run is aborting. */
  aborted?: boolean;
  /** No HTTP answer at all (reset, refused, DNS). */
  connection?: boolean;
}

export interface Classified {
  failure: FailureClass;
  info: ErrorInfo;
  retryAfterMs?: number;
}

/** Maps an HTTP-level failure to what the engine does with it (retry, fail the task, stop the run). */
export function classifyFailure(f: HttpFailure, apiKeyEnv: string): Classified {
  if (f.aborted) return { failure: "fatal-task", info: { code: "aborted", message: "aborted by the user" } };
  if (f.timedOut) return { failure: "transient", info: { code: "timeout", message: f.message } };
  if (f.connection || f.status === undefined) {
    return { failure: "transient", info: { code: "connection", message: f.message } };
  }
  const s = f.status;
  if (s === 401 || s === 403) {
    return {
      failure: "fatal-run",
      info: { code: "auth", message: `the API key in ${apiKeyEnv} was rejected (HTTP ${s}: ${f.message})` },
    };
  }
  if (s === 429) {
    return { failure: "transient", info: { code: "rate-limited", message: f.message }, retryAfterMs: retryAfterMs(f.headers) };
  }
  if (s === 408 || s === 409 || s >= 500) {
    return { failure: "transient", info: { code: "server-error", message: `HTTP ${s}: ${f.message}` }, retryAfterMs: retryAfterMs(f.headers) };
  }
  return { failure: "fatal-task", info: { code: "bad-request", message: `HTTP ${s}: ${f.message}` } };
}

/** `retry-after-ms` (OpenAI) wins over `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Record<string, string | undefined> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers["retry-after-ms"]);
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers["retry-after"];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
