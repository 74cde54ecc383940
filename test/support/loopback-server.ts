// An OpenAI-compatible chat-completions server on 127.0.0.1 for tests and benchmarks.
// Every test talks to it through the real `openai` SDK, so retries, headers, timeouts and
// connection handling are exercised exactly as against a real provider (DESIGN.md "Testing without a real model").
//
// - answers deterministically by the agent protocol (src/prompt/build-messages.ts): Role/File/Output headers + one fenced block
// - reports usage with cl100k_base (on purpose not the client's o200k estimator) and cached prompt tokens
// - injects faults from rules or seeded random draws, an admission limit, and latency
// - logs every request for assertions
//
// Standalone: node --import tsx test/support/loopback-server.ts --port 8787 [--latency 20]

import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { countTokens, decode, encode } from "gpt-tokenizer/encoding/cl100k_base";
import { editAnswerText, type EditAnswerMode } from "./edit-answer.js";
import { keyedUniform, mulberry32, normalFromUniforms } from "./seeded-random.js";

// ---------------------------------------------------------------------------------------------
// Public types

/** One chat message as it arrived on the wire. */
export interface WireMessage {
  role: string;
  content?: unknown;
  [key: string]: unknown;
}

/** What the server understood of one chat-completions request. Passed to every hook. */
export interface ParsedRequest {
  /** 1-based arrival number since start (or the last reset). Varies with concurrency. */
  seq: number;
  /** Request path, e.g. `/v1/chat/completions`. */
  path: string;
  model: string;
  /** `max_tokens`, or `max_completion_tokens` when only that was sent. */
  max_tokens: number | undefined;
  /** The raw body's `thinking` field (Moonshot/Kimi style), if any. */
  thinking: unknown;
  messages: WireMessage[];
  body: Record<string, unknown>;
  /** `Role:` header of the last user message (refactor | test | doc | repair), if present. */
  role: string | undefined;
  /** `File:` header. */
  file: string | undefined;
  /** `Output:` header. */
  output: string | undefined;
  /** Info string of the fenced block (e.g. `ts`). */
  lang: string | undefined;
  /** Content of the fenced block, CommonMark style: every line including its final newline. */
  source: string | undefined;
  /** The output's current content, from the "Current content of <Output>" message (test/doc updates). */
  existing?: string;
  /** The bearer token the request carried (for the `echo-key` misbehaviour). */
  bearer?: string;
  /** 1-based count of requests seen so far for this (role, file), this one included. */
  nth: number;
  /** `<role>|<file>|<nth>`: the same on every run of the same plan, whatever the arrival order. */
  key: string;
  /** The system prompt shows `<<<<<<< SEARCH`: the answer is SEARCH/REPLACE edits of `source` (issue 15). */
  wantsEdits: boolean;
}

export type Fault =
  | {
      kind: "status";
      status: number;
      /** Sent as `retry-after` (seconds). */
      retryAfterSec?: number;
      /** Sent as `retry-after-ms` (OpenAI's millisecond header). */
      retryAfterMs?: number;
      message?: string;
    }
  /** Never answers; ends only when the client aborts or the server closes. */
  | { kind: "hang" }
  /** 200 whose content has no fenced block. */
  | { kind: "malformed" }
  /** 200 with finish_reason "length" and the block cut off mid-way. */
  | { kind: "truncated" }
  /** Destroys the socket without a response. */
  | { kind: "reset" }
  /** 200 with `content-type: application/json` and a body that is not JSON. */
  | { kind: "invalid-json" }
  /**
   * A stream that sends part of the answer, then nothing more and never ends (a stalled decode); a request
   * without streaming hangs as with "hang". `afterFraction` of the content chunks are sent first. @default 0.5
   */
  | { kind: "stall"; afterFraction?: number };

export interface FaultRule {
  /** All given fields must match; an empty or missing match matches every chat request. */
  match?: {
    /** Exact `File:` path, or a pattern tested against it. */
    file?: string | RegExp;
    role?: string;
    /** 1-based count of requests for this (role, file). */
    nth?: number;
    /** Escape hatch for anything else. */
    when?: (req: ParsedRequest) => boolean;
  };
  fault: Fault;
  /** How many times the rule fires before it is used up. @default unlimited */
  times?: number;
}

/**
 * Random faults. Rates are probabilities per admitted request and are checked in the order
 * 429, 5xx, hang, malformed, truncated (their sum should stay ≤ 1).
 */
export interface RandomFaults {
  seed: number;
  /**
   * false (default): one PRNG draw per admitted request in arrival order. Arrival order changes with
   * concurrency and timing, so which request gets which fault can differ between runs.
   * true: the draw is a hash of (seed, role, file, nth), independent of arrival order. Prefer this in tests.
   * @default false
   */
  keyed?: boolean;
  rate429?: number;
  rate5xx?: number;
  rateHang?: number;
  rateMalformed?: number;
  rateTruncated?: number;
  /** Checked after the others, so adding it does not shift which requests get the other faults. */
  rateStall?: number;
  /** `retry-after-ms` sent with random 429s. @default none */
  retryAfterMs?: number;
  /** Status used for random 5xx faults. @default 500 */
  status5xx?: number;
}

export type LatencyFn = (req: ParsedRequest, rng: () => number) => number;

export interface LoopbackOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** When set, any other bearer token gets 401. A bearer token is always required. */
  apiKey?: string;
  /** Model ids listed by GET /v1/models. @default ["loopback-model"] */
  models?: string[];
  /** Override the text inside the answer's block; undefined falls back to the default answer. */
  answer?: (req: ParsedRequest) => string | undefined;
  /** Override the whole message content (for malformed-answer tests); takes precedence over `answer`. */
  answerRaw?: (req: ParsedRequest) => string | undefined;
  /**
   * How a request that asks for edits is answered: blocks turning `source` into the answer (`exact`), the same
   * with a model's mistakes, or the whole file regardless (`whole`). @default "exact"
   */
  editAnswer?: (req: ParsedRequest) => EditAnswerMode | undefined;
  /** Scripted faults; the first matching rule with uses left wins, before any random draw. */
  faults?: FaultRule[];
  random?: RandomFaults;
  /** Requests beyond this many in flight at once get 429 at once. @default unlimited */
  maxConcurrent?: number;
  /** `retry-after-ms` sent with admission 429s. @default none */
  admissionRetryAfterMs?: number;
  /** Delay before answering each admitted request (not hangs). @default 0 */
  latencyMs?: number | LatencyFn;
  /** Seed of the arrival-order PRNG handed to latency functions. @default 1 */
  seed?: number;
  /**
   * Smallest cached prefix that is reported. Real providers have floors (OpenAI: 1024 tokens);
   * the default 0 keeps small test prompts observable.
   * @default 0
   */
  minCacheTokens?: number;
  /**
   * Awaited after admission and latency, before the answer is sent. Lets a test hold requests in
   * flight and release them when it chooses, without sleeps.
   */
  beforeAnswer?: (req: ParsedRequest) => Promise<void> | void;
  /**
   * An endpoint that answers with untrusted content (issue 14): `echo-key` puts the request's bearer token
   * into the code, `fake-aws-key` an AWS-shaped key, `huge` a block of `hugeBytes` (ignoring max_tokens, as a
   * hostile server would), `nul` NUL and ESC bytes, `destructive` the single line `PWNED` for refactors.
   * Applies to every 200 answer of the roles in `misbehaveRoles` (default: all).
   */
  misbehave?: "echo-key" | "fake-aws-key" | "huge" | "nul" | "destructive";
  misbehaveRoles?: string[];
  /** Size of a `huge` answer. @default 2 MiB */
  hugeBytes?: number;
  /** Keep each request's messages in the log. Turn off for long benchmarks. @default true */
  logMessages?: boolean;
  /**
   * Decode speed. When set, an answer of N output tokens takes `latencyMs` (the time to first token) plus
   * N ÷ tokensPerSecond: a streamed answer arrives in paced chunks, an unstreamed one all at the end.
   * @default unlimited (the whole answer at once after `latencyMs`)
   */
  tokensPerSecond?: number;
  /** Output tokens per streamed chunk. @default 16 */
  chunkTokens?: number;
  /** The model's own output cap: longer answers are cut with finish_reason "length", whatever max_tokens asks. */
  maxOutputTokens?: number;
  /** An endpoint without streaming: `stream: true` gets 400. @default false (streams when asked) */
  rejectStreaming?: boolean;
  /** Reasoning text streamed as `reasoning_content` deltas before the answer (thinking models); counted as output. */
  reasoning?: (req: ParsedRequest) => string | undefined;
  /**
   * Requests and tokens per window, enforced on the server's clock over a sliding window: a request that would
   * exceed either gets 429 with `retry-after-ms`. A request is charged its prompt tokens plus the output tokens
   * of the answer it will get, at arrival. Every response then carries `x-ratelimit-*` headers.
   */
  rateLimits?: { rpm?: number; tpm?: number; /** @default 60000 */ windowMs?: number };
}

export interface LoopbackUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
}

export interface RequestLog {
  seq: number;
  path: string;
  /** ms since the server started (monotonic clock). */
  arrivedAt: number;
  /** ms since the server started; undefined while in flight. */
  finishedAt: number | undefined;
  role: string | undefined;
  file: string | undefined;
  output: string | undefined;
  nth: number;
  model: string;
  max_tokens: number | undefined;
  thinking: unknown;
  /** The parsed body's messages (empty when `logMessages` is false). */
  messages: WireMessage[];
  /** HTTP status sent; 0 when none was (reset, hang, connection closed first). */
  status: number;
  fault: Fault | undefined;
  /** Passed the admission limit (false for 401s, bad requests and admission 429s). */
  isAdmitted: boolean;
  /** The connection closed before any response: client abort, or server close during a hang. */
  isAborted: boolean;
  finishReason: "stop" | "length" | undefined;
  /** Text inside the answer's block, when the server built one. */
  answer: string | undefined;
  /** The whole assistant message content sent. */
  content: string | undefined;
  usage: LoopbackUsage | undefined;
  /** Injected delay before answering. */
  delayMs: number;
  /** finishedAt − arrivedAt, as the server saw it. */
  latencyMs: number | undefined;
  /** The request asked for a stream (and got one, unless refused). */
  stream: boolean;
  /** Content and reasoning chunks written to the stream. */
  chunksSent: number;
  /** A stream that stopped sending mid-answer (the `stall` fault). */
  isStalled: boolean;
  /** Tokens charged against `rateLimits.tpm` (0 when refused or without limits). */
  chargedTokens: number;
  /** Which of `rateLimits` refused this request. */
  rateLimitedBy: "rpm" | "tpm" | undefined;
}

export interface LoopbackStats {
  /** Chat-completions requests received. */
  requests: number;
  /** Requests answered with status 200 (malformed and truncated ones included). */
  answered: number;
  /** Count per status; "0" = no response sent. */
  byStatus: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Peak number of admitted requests in flight at once. */
  maxInFlight: number;
  admitted: number;
  /** Admission-limit rejections only (scripted 429 faults are not counted here). */
  rejected429: number;
  /** 429s from `rateLimits` (rpm or tpm). */
  rejectedRateLimit: number;
  /** GET /models calls (preflights). */
  modelRequests: number;
}

export interface LoopbackServer {
  /** Base URL including `/v1`, for `new OpenAI({ baseURL })`. */
  readonly url: string;
  readonly port: number;
  /** Every chat request in arrival order; the same array object across resets. */
  readonly requests: RequestLog[];
  stats(): LoopbackStats;
  /** Admitted requests in flight right now. */
  inFlight(): number;
  /** Resolves once at least `count` chat requests have arrived (since the last reset). */
  waitForRequests(count: number): Promise<void>;
  /** Clears the log, counters, prefix cache, rule uses and PRNGs; in-flight requests are left alone. */
  reset(): void;
  /** Stops listening and destroys every socket, hung ones included. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Protocol helpers (pure)

export const REFACTOR_MARKER = "// refactored by loopback";

/** The AWS-shaped key the `fake-aws-key` misbehaviour plants (base32 body, so every AWS rule sees it). */
export const PLANTED_AWS_KEY = "AKIA" + "QX7ZR2MPLW4TNV3K";

/** The answer text a misbehaving endpoint sends instead of `normal`; undefined = behave. */
function misbehavingAnswer(kind: LoopbackOptions["misbehave"], req: ParsedRequest, normal: string, hugeBytes = 2 * 1024 * 1024): string | undefined {
  switch (kind) {
    case "echo-key":
      return `${normal}export const apiKey = "${req.bearer ?? ""}";\n`;
    case "fake-aws-key":
      return `${normal}export const awsAccessKeyId = "${PLANTED_AWS_KEY}";\n`;
    case "huge": {
      const line = "// padding padding padding padding padding padding padding padding padding\n";
      return normal + line.repeat(Math.ceil(hugeBytes / line.length));
    }
    case "nul":
      return `${normal}export const bell = "\u0000\u001b[2J";\n`;
    case "destructive":
      return req.role === "refactor" ? "PWNED\n" : undefined;
    default:
      return undefined;
  }
}

const HEADER_LINE = /^(Role|File|Output):[ \t]*(.*?)[ \t\r]*$/;
const OPENING_FENCE = /^(`{3,})([^`\r\n]*?)[ \t\r]*$/;

export interface ProtocolMessage {
  role: string | undefined;
  file: string | undefined;
  output: string | undefined;
  lang: string | undefined;
  source: string | undefined;
}

/**
 * Reads the header lines and the first fenced block of a protocol message. The block's content
 * follows CommonMark: everything between the opening and closing fence lines, so it ends with
 * the newline of its last line. The closing fence is a line of exactly the opening's backticks.
 */
export function parseProtocolMessage(text: string): ProtocolMessage {
  const headers: Record<string, string> = {};
  let lang: string | undefined;
  let source: string | undefined;
  let offset = 0;
  while (offset <= text.length) {
    const end = text.indexOf("\n", offset);
    const lineEnd = end === -1 ? text.length : end;
    const line = text.slice(offset, lineEnd);
    const fence = OPENING_FENCE.exec(line);
    if (fence) {
      lang = fence[2].trim() || undefined;
      source = readBlockBody(text, end === -1 ? text.length : end + 1, fence[1].length);
      break;
    }
    const header = HEADER_LINE.exec(line);
    if (header && headers[header[1]] === undefined) headers[header[1]] = header[2];
    if (end === -1) break;
    offset = end + 1;
  }
  return { role: headers.Role, file: headers.File, output: headers.Output, lang, source };
}

function readBlockBody(text: string, start: number, fenceLength: number): string {
  let offset = start;
  while (offset < text.length) {
    const end = text.indexOf("\n", offset);
    const lineEnd = end === -1 ? text.length : end;
    const line = text.slice(offset, lineEnd).replace(/[ \t\r]+$/, "");
    if (line.length === fenceLength && /^`+$/.test(line)) return text.slice(start, offset);
    if (end === -1) break;
    offset = end + 1;
  }
  // Unclosed block: CommonMark runs it to the end of the text.
  return text.slice(start);
}

/** A fence longer than any backtick run in the content, so the content cannot close it early. */
function fenceFor(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** Wraps content in one fenced block; adds the final newline CommonMark requires before the fence. */
export function fenceBlock(content: string, lang = ""): string {
  const fence = fenceFor(content);
  const body = content === "" || content.endsWith("\n") ? content : `${content}\n`;
  return `${fence}${lang}\n${body}${fence}`;
}

const SLASH_COMMENT_EXT = new Set(["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"]);
const HASH_COMMENT_EXT = new Set(["py", "rb", "sh", "bash", "yml", "yaml", "toml"]);
const LANG_BY_EXT: Record<string, string> = {
  ts: "ts", tsx: "tsx", mts: "ts", cts: "ts", js: "js", jsx: "jsx", mjs: "js", cjs: "js",
  md: "markdown", json: "json", py: "python",
};

function extensionOf(path: string | undefined): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(path ?? "");
  return match ? match[1].toLowerCase() : "";
}

function langForPath(path: string | undefined): string {
  return LANG_BY_EXT[extensionOf(path)] ?? "";
}

/** Adds the marker line once, after a shebang if there is one (a line before `#!` would break the file). */
function markRefactored(source: string, path: string | undefined): string {
  const ext = extensionOf(path);
  const marker = SLASH_COMMENT_EXT.has(ext)
    ? REFACTOR_MARKER
    : HASH_COMMENT_EXT.has(ext)
      ? "# refactored by loopback"
      : undefined;
  if (marker === undefined) return source;
  const shebangEnd = source.startsWith("#!") ? source.indexOf("\n") + 1 : 0;
  if (shebangEnd === 0 && source.startsWith("#!")) return source; // shebang only, no newline
  const head = source.slice(0, shebangEnd);
  const rest = source.slice(shebangEnd);
  if (rest === marker || rest.startsWith(`${marker}\n`) || rest.startsWith(`${marker}\r\n`)) return source;
  const eol = rest.includes("\r\n") ? "\r\n" : "\n";
  return `${head}${marker}${eol}${rest}`;
}

/** The deterministic answer text (inside the block) for a protocol request. */
function defaultAnswerText(req: Pick<ParsedRequest, "role" | "file" | "output" | "source" | "existing">): string {
  const file = req.file ?? "unknown";
  switch (req.role) {
    case "refactor":
    case "repair":
      return markRefactored(req.source ?? "", req.output ?? req.file);
    case "test": {
      const marker = `// test for ${file}`;
      // Like a decent model, an update keeps the existing cases and imports (answered LF, no BOM).
      if (req.existing !== undefined) {
        const kept = req.existing.replace(/^\ufeff/, "").replace(/\r\n/g, "\n");
        return kept.startsWith(`${marker}\n`) ? kept : `${marker}\n${kept}`;
      }
      // A new test imports nothing, so it stays valid wherever it lands, in JS and TS alike.
      return `${marker}\nexport const tested = ${JSON.stringify(file)};\n`;
    }
    case "doc":
      return `# ${file}\n\nDocumentation for ${file}.\n`;
    default:
      return "ok\n";
  }
}

const MALFORMED_CONTENT =
  "I have refactored the file as requested. The new version keeps every export and is easier to read.";

/** Text of a message's content, whether a string or an array of content parts. */
function messageText(message: WireMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === "object" && typeof part.text === "string" ? part.text : ""))
      .join("");
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Latency

/**
 * A latency function drawing from a log-normal with the given median and 99th percentile.
 * The draw is keyed by (seed, role, file, nth), so the same request gets the same delay on every run.
 */
export function lognormalLatency(o: { medianMs: number; p99Ms: number; seed: number }): LatencyFn {
  if (!(o.medianMs > 0) || !(o.p99Ms >= o.medianMs)) {
    throw new TypeError(`lognormalLatency: expected 0 < medianMs ≤ p99Ms, got ${o.medianMs} and ${o.p99Ms}`);
  }
  const Z99 = 2.3263478740408408;
  const mu = Math.log(o.medianMs);
  const sigma = Math.log(o.p99Ms / o.medianMs) / Z99;
  return (req) => {
    const u1 = keyedUniform(o.seed, `${req.key}|latency-a`);
    const u2 = keyedUniform(o.seed, `${req.key}|latency-b`);
    return Math.exp(mu + sigma * normalFromUniforms(u1, u2));
  };
}

// ---------------------------------------------------------------------------------------------
// Token accounting and prefix cache

const TOKEN_OPTIONS = { disallowedSpecial: new Set<string>() };
const PER_MESSAGE_TOKENS = 4;
const TOKEN_MEMO_LIMIT = 5000;

function createTokenCounter(): (text: string) => number {
  // Every request of a role repeats the same system prompt and shared prefix; counting them once
  // keeps the server cheap when it shares a process with a 300-agent benchmark.
  const memo = new Map<string, number>();
  return (text) => {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const count = countTokens(text, TOKEN_OPTIONS);
    if (memo.size >= TOKEN_MEMO_LIMIT) memo.clear();
    memo.set(text, count);
    return count;
  };
}

/** Chained hashes of messages[0..k] for k = 0 … n−2 (every prefix that excludes the last message). */
function prefixHashes(messages: WireMessage[]): string[] {
  const hashes: string[] = [];
  let previous = "";
  for (let i = 0; i < messages.length - 1; i++) {
    previous = createHash("sha1")
      .update(previous)
      .update("\u0000")
      .update(String(messages[i].role))
      .update("\u0000")
      .update(messageText(messages[i]))
      .digest("hex");
    hashes.push(previous);
  }
  return hashes;
}

// ---------------------------------------------------------------------------------------------
// Fault selection

function ruleMatches(rule: FaultRule, req: ParsedRequest): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.role !== undefined && m.role !== req.role) return false;
  if (m.nth !== undefined && m.nth !== req.nth) return false;
  if (m.file !== undefined) {
    if (req.file === undefined) return false;
    if (typeof m.file === "string" ? m.file !== req.file : !m.file.test(req.file)) return false;
  }
  if (m.when && !m.when(req)) return false;
  return true;
}

function faultFromDraw(u: number, r: RandomFaults): Fault | undefined {
  let threshold = 0;
  const bands: [number | undefined, Fault][] = [
    [r.rate429, { kind: "status", status: 429, retryAfterMs: r.retryAfterMs, message: "Rate limit reached (loopback random)" }],
    [r.rate5xx, { kind: "status", status: r.status5xx ?? 500, message: "Internal error (loopback random)" }],
    [r.rateHang, { kind: "hang" }],
    [r.rateMalformed, { kind: "malformed" }],
    [r.rateTruncated, { kind: "truncated" }],
    [r.rateStall, { kind: "stall" }],
  ];
  for (const [rate, fault] of bands) {
    threshold += rate ?? 0;
    if (u < threshold) return fault;
  }
  return undefined;
}

/** OpenAI's reset format: "1m30.5s", "12s", "250ms". */
function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Number(((ms - minutes * 60_000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** Splits text into pieces of about `chunkTokens` tokens (by share of characters; never inside a surrogate pair). */
function textChunks(text: string, tokens: number, chunkTokens: number): { text: string; tokens: number }[] {
  if (text === "") return [];
  const count = Math.max(1, Math.ceil(tokens / chunkTokens));
  const chars = Array.from(text);
  const size = Math.ceil(chars.length / count);
  const pieces: { text: string; tokens: number }[] = [];
  for (let i = 0; i < chars.length; i += size) {
    const piece = chars.slice(i, i + size);
    pieces.push({ text: piece.join(""), tokens: (tokens * piece.length) / chars.length });
  }
  return pieces;
}

function errorBody(status: number, message: string | undefined): { error: Record<string, unknown> } {
  const byStatus: Record<number, [string, string | null, string]> = {
    400: ["invalid_request_error", null, "Bad request"],
    401: ["invalid_request_error", "invalid_api_key", "Incorrect API key provided"],
    403: ["permission_error", null, "Forbidden"],
    404: ["not_found_error", null, "Not found"],
    429: ["rate_limit_error", "rate_limit_exceeded", "Rate limit reached"],
  };
  const [type, code, fallback] = byStatus[status] ?? ["server_error", null, `Server error ${status}`];
  return { error: { message: message ?? fallback, type, param: null, code } };
}

// ---------------------------------------------------------------------------------------------
// Server

export async function startLoopbackServer(options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const startedAt = performance.now();
  const now = () => performance.now() - startedAt;
  const countText = createTokenCounter();
  const minCacheTokens = options.minCacheTokens ?? 0;
  const models = options.models ?? ["loopback-model"];

  const requests: RequestLog[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let arrivalWaiters: { count: number; resolve: () => void }[] = [];

  let seq = 0;
  let nthByTarget = new Map<string, number>();
  let ruleUses = new Map<FaultRule, number>();
  let seenPrefixes = new Set<string>();
  let latencyRng = mulberry32(options.seed ?? 1);
  let faultRng = mulberry32(options.random?.seed ?? 0);
  let inFlight = 0;
  let maxInFlight = 0;
  let modelRequests = 0;
  let isClosing = false;
  /** Admitted requests inside the rate-limit window: arrival time and tokens charged. */
  let charges: { at: number; tokens: number }[] = [];

  const notifyArrival = () => {
    const ready = arrivalWaiters.filter((w) => requests.length >= w.count);
    arrivalWaiters = arrivalWaiters.filter((w) => requests.length < w.count);
    for (const w of ready) w.resolve();
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const isAuthorized = (req: http.IncomingMessage): boolean => {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!match) return false;
    return options.apiKey === undefined || match[1].trim() === options.apiKey;
  };

  const parseRequest = (path: string, body: Record<string, unknown>): ParsedRequest => {
    const messages = Array.isArray(body.messages) ? (body.messages as WireMessage[]) : [];
    // The task message is the last user message with protocol headers: a retry may append a note after it.
    const users = [...messages].reverse().filter((m) => m && m.role === "user");
    const lastUser = users.find((m) => /^Role:/m.test(messageText(m))) ?? users[0];
    const protocol = lastUser ? parseProtocolMessage(messageText(lastUser)) : parseProtocolMessage("");
    const current = protocol.output === undefined ? undefined : users.find((m) => messageText(m).startsWith(`Current content of ${protocol.output} `));
    const existing = current === undefined ? undefined : parseProtocolMessage(messageText(current)).source;
    const target = `${protocol.role ?? ""}|${protocol.file ?? ""}`;
    const nth = (nthByTarget.get(target) ?? 0) + 1;
    nthByTarget.set(target, nth);
    const maxTokens = typeof body.max_tokens === "number"
      ? body.max_tokens
      : typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : undefined;
    return {
      seq: ++seq,
      path,
      model: typeof body.model === "string" ? body.model : "",
      max_tokens: maxTokens,
      thinking: body.thinking,
      messages,
      body,
      ...protocol,
      ...(existing === undefined ? {} : { existing }),
      nth,
      key: `${target}|${nth}`,
      wantsEdits: messages.some((m) => m?.role === "system" && messageText(m).includes("\n<<<<<<< SEARCH\n")),
    };
  };

  const chooseFault = (req: ParsedRequest): Fault | undefined => {
    // One draw per admitted request, rule or not, so adding a rule does not shift later random faults.
    const random = options.random;
    const u = random ? (random.keyed ? keyedUniform(random.seed, req.key) : faultRng()) : 1;
    for (const rule of options.faults ?? []) {
      const used = ruleUses.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      if (!ruleMatches(rule, req)) continue;
      ruleUses.set(rule, used + 1);
      return rule.fault;
    }
    return random ? faultFromDraw(u, random) : undefined;
  };

  // Called only for 200 answers, at answer time: a prefix becomes cached once a request carrying it
  // was processed, so N concurrent requests sharing a prefix give exactly one miss whatever their order.
  const computeUsage = (messages: WireMessage[], content: string): LoopbackUsage => {
    const perMessage = messages.map((m) => countText(messageText(m)) + PER_MESSAGE_TOKENS);
    const promptTokens = perMessage.reduce((a, b) => a + b, 0);
    const hashes = prefixHashes(messages);
    let cachedTokens = 0;
    for (let k = hashes.length - 1; k >= 0; k--) {
      if (!seenPrefixes.has(hashes[k])) continue;
      const prefixTokens = perMessage.slice(0, k + 1).reduce((a, b) => a + b, 0);
      if (prefixTokens >= minCacheTokens) cachedTokens = prefixTokens;
      break;
    }
    for (const h of hashes) seenPrefixes.add(h);
    // A huge answer is not tokenized: megabytes through the tokenizer would dominate the test's time.
    const completion = content.length > 256 * 1024 ? Math.ceil(content.length / 4) : countText(content);
    return { prompt_tokens: promptTokens, completion_tokens: completion, cached_tokens: cachedTokens };
  };

  /** Builds the assistant message for a 200; faults shape it. */
  const buildAnswer = (req: ParsedRequest, fault: Fault | undefined) => {
    let answer: string | undefined;
    let content = options.answerRaw?.(req);
    if (content === undefined) {
      answer = options.answer?.(req) ?? defaultAnswerText(req);
      if (options.misbehave && (options.misbehaveRoles ?? [req.role]).includes(req.role)) {
        answer = misbehavingAnswer(options.misbehave, req, answer, options.hugeBytes) ?? answer;
      }
      // A test or doc update edits the existing output it was shown; a refactor or repair edits its source.
      const edited = req.role === "test" || req.role === "doc" ? req.existing : req.source;
      const editMode = req.wantsEdits && edited !== undefined ? (options.editAnswer?.(req) ?? "exact") : "whole";
      content =
        editMode === "whole"
          ? fenceBlock(answer, langForPath(req.output ?? req.file))
          : editAnswerText(req.output ?? req.file ?? "", edited ?? "", answer, editMode);
    }
    let finishReason: "stop" | "length" = "stop";
    if (fault?.kind === "malformed") {
      content = MALFORMED_CONTENT;
      answer = undefined;
    } else if (fault?.kind === "truncated") {
      const body = fenceBlock(answer ?? content, langForPath(req.output ?? req.file));
      const firstNewline = body.indexOf("\n") + 1;
      content = body.slice(0, firstNewline + Math.floor((body.length - firstNewline) / 2));
      finishReason = "length";
    }
    const cap = Math.min(req.max_tokens ?? Infinity, options.maxOutputTokens ?? Infinity);
    if (options.misbehave !== "huge" && cap >= 0 && cap !== Infinity && countText(content) > cap) {
      // What a real model does when the answer outgrows max_tokens or its own output limit.
      content = decode(encode(content, TOKEN_OPTIONS).slice(0, cap));
      finishReason = "length";
    }
    return { answer, content, finishReason };
  };

  /** Sliding-window rpm/tpm on the server's clock; charges the request when it fits. */
  const chargeRateLimits = (req: ParsedRequest): { refusedBy?: "rpm" | "tpm"; tokens: number; headers: Record<string, string> } => {
    const limits = options.rateLimits!;
    const windowMs = limits.windowMs ?? 60_000;
    const t = now();
    charges = charges.filter((c) => c.at > t - windowMs);
    const prompt = req.messages.reduce((sum, m) => sum + countText(messageText(m)) + PER_MESSAGE_TOKENS, 0);
    const built = buildAnswer(req, undefined);
    const tokens = prompt + countText(built.content) + countText(options.reasoning?.(req) ?? "");
    const used = charges.reduce((sum, c) => sum + c.tokens, 0);
    const untilFreed = (need: number) => {
      // Time until enough of the oldest charges leave the window for `need` more tokens to fit.
      let freed = 0;
      for (const c of charges) {
        freed += c.tokens;
        if (freed >= need) return Math.max(1, Math.ceil(c.at + windowMs - t));
      }
      return windowMs;
    };
    let refusedBy: "rpm" | "tpm" | undefined;
    let retryMs = 0;
    if (limits.rpm !== undefined && charges.length + 1 > limits.rpm) {
      refusedBy = "rpm";
      retryMs = Math.max(1, Math.ceil(charges[0].at + windowMs - t));
    } else if (limits.tpm !== undefined && used + tokens > limits.tpm) {
      refusedBy = "tpm";
      retryMs = untilFreed(used + tokens - limits.tpm);
    }
    if (!refusedBy) charges.push({ at: t, tokens });
    const count = charges.length;
    const total = charges.reduce((sum, c) => sum + c.tokens, 0);
    const resetMs = count === 0 ? 0 : Math.max(0, Math.ceil(charges[0].at + windowMs - t));
    const headers: Record<string, string> = {};
    if (limits.rpm !== undefined) {
      headers["x-ratelimit-limit-requests"] = String(limits.rpm);
      headers["x-ratelimit-remaining-requests"] = String(Math.max(0, limits.rpm - count));
      headers["x-ratelimit-reset-requests"] = formatResetDuration(resetMs);
    }
    if (limits.tpm !== undefined) {
      headers["x-ratelimit-limit-tokens"] = String(limits.tpm);
      headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, limits.tpm - total));
      headers["x-ratelimit-reset-tokens"] = formatResetDuration(resetMs);
    }
    if (refusedBy) headers["retry-after-ms"] = String(retryMs);
    return { refusedBy, tokens, headers };
  };

  /** Server-sent events as OpenAI sends them: role, reasoning and content deltas, finish, the usage chunk, [DONE]. */
  const streamAnswer = async (a: {
    req: ParsedRequest;
    res: http.ServerResponse;
    entry: RequestLog;
    content: string;
    reasoning: string;
    finishReason: "stop" | "length";
    usage: LoopbackUsage | undefined;
    stallAt: number | undefined;
    headers: Record<string, string>;
    pause: (ms: number) => Promise<void>;
    /** Called as the last event is written. */
    complete: () => void;
  }) => {
    const { res, entry } = a;
    const id = `chatcmpl-loopback-${a.req.seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = a.req.model || models[0];
    const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...a.headers });
    send([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
    const chunkTokens = Math.max(1, options.chunkTokens ?? 16);
    const pieces = [
      ...textChunks(a.reasoning, countText(a.reasoning), chunkTokens).map((p) => ({ ...p, field: "reasoning_content" })),
      ...textChunks(a.content, countText(a.content), chunkTokens).map((p) => ({ ...p, field: "content" })),
    ];
    const contentStart = pieces.findIndex((p) => p.field === "content");
    const contentCount = pieces.length - Math.max(0, contentStart);
    const stallIndex = a.stallAt === undefined ? undefined : Math.max(0, contentStart) + Math.floor(contentCount * a.stallAt);
    for (let i = 0; i < pieces.length; i++) {
      if (i === stallIndex) {
        entry.isStalled = true;
        return;
      }
      if (options.tokensPerSecond) await a.pause((pieces[i].tokens / options.tokensPerSecond) * 1000);
      if (res.destroyed) return;
      send([{ index: 0, delta: { [pieces[i].field]: pieces[i].text }, logprobs: null, finish_reason: null }]);
      entry.chunksSent++;
    }
    send([{ index: 0, delta: {}, logprobs: null, finish_reason: a.finishReason }]);
    if (a.usage) {
      const u = a.usage;
      send([], {
        usage: {
          prompt_tokens: u.prompt_tokens,
          completion_tokens: u.completion_tokens,
          total_tokens: u.prompt_tokens + u.completion_tokens,
          prompt_tokens_details: { cached_tokens: u.cached_tokens },
          cached_tokens: u.cached_tokens,
        },
      });
    }
    a.complete();
    res.end("data: [DONE]\n\n");
  };

  const handleChat = async (
    httpReq: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    rawBody: string,
  ) => {
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const req = parseRequest(path, body ?? {});
    req.bearer = /^Bearer\s+(.+)$/i.exec(httpReq.headers.authorization ?? "")?.[1]?.trim();
    const entry: RequestLog = {
      seq: req.seq,
      path,
      arrivedAt: now(),
      finishedAt: undefined,
      role: req.role,
      file: req.file,
      output: req.output,
      nth: req.nth,
      model: req.model,
      max_tokens: req.max_tokens,
      thinking: req.thinking,
      messages: options.logMessages === false ? [] : req.messages,
      status: 0,
      fault: undefined,
      isAdmitted: false,
      isAborted: false,
      finishReason: undefined,
      answer: undefined,
      content: undefined,
      usage: undefined,
      delayMs: 0,
      latencyMs: undefined,
      stream: body?.stream === true,
      chunksSent: 0,
      isStalled: false,
      chargedTokens: 0,
      rateLimitedBy: undefined,
    };
    requests.push(entry);
    const finish = (status: number) => {
      entry.status = status;
      entry.finishedAt = now();
      entry.latencyMs = entry.finishedAt - entry.arrivedAt;
    };
    const reject = (status: number, message?: string, headers?: Record<string, string>) => {
      finish(status);
      sendJson(res, status, errorBody(status, message), headers);
    };
    notifyArrival();

    if (!isAuthorized(httpReq)) return reject(401);
    if (!body) return reject(400, "We could not parse the JSON body of your request.");
    if (body.stream === true && options.rejectStreaming) return reject(400, "This endpoint does not support streaming; send stream: false.");
    if (req.messages.length === 0) return reject(400, "'messages' must be a non-empty array.");
    if (options.maxConcurrent !== undefined && inFlight >= options.maxConcurrent) {
      const headers: Record<string, string> = options.admissionRetryAfterMs === undefined
        ? {}
        : { "retry-after-ms": String(options.admissionRetryAfterMs) };
      return reject(429, "Too many concurrent requests (loopback admission limit)", headers);
    }
    let rateHeaders: Record<string, string> = {};
    if (options.rateLimits) {
      const verdict = chargeRateLimits(req);
      rateHeaders = verdict.headers;
      if (verdict.refusedBy) {
        entry.rateLimitedBy = verdict.refusedBy;
        return reject(429, `Rate limit reached for ${verdict.refusedBy === "rpm" ? "requests" : "tokens"} per min (loopback)`, rateHeaders);
      }
      entry.chargedTokens = verdict.tokens;
    }

    entry.isAdmitted = true;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let isSettled = false;
    let isStreaming = false;
    let isStreamComplete = false;
    let timer: NodeJS.Timeout | undefined;
    /** Resolves after `ms`, or never when the connection closes first (the close handler clears the timer). */
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (timer) timers.delete(timer);
          timer = undefined;
          resolve();
        }, ms);
        timers.add(timer);
      });
    res.on("close", () => {
      inFlight--;
      if (timer) {
        clearTimeout(timer);
        timers.delete(timer);
      }
      // A stream counts as answered once its last event was handed to the socket: the client may close first.
      if (isStreaming ? !isStreamComplete : !isSettled && !res.writableFinished) {
        isSettled = true;
        entry.isAborted = true;
        finish(0);
      }
    });

    const answerAdmitted = async () => {
      const fault = chooseFault(req);
      entry.fault = fault;
      if (fault?.kind === "hang" || (fault?.kind === "stall" && !entry.stream)) return;

      const latency = options.latencyMs;
      const delayMs = Math.max(0, typeof latency === "function" ? latency(req, latencyRng) : latency ?? 0);
      entry.delayMs = delayMs;
      if (delayMs > 0) await pause(delayMs);
      if (options.beforeAnswer) await options.beforeAnswer(req);
      if (isSettled || res.destroyed) return;
      isSettled = true;

      if (fault?.kind === "reset") {
        finish(0);
        httpReq.socket.destroy();
        return;
      }
      if (fault?.kind === "status") {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSec !== undefined) headers["retry-after"] = String(fault.retryAfterSec);
        if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
        return reject(fault.status, fault.message, { ...rateHeaders, ...headers });
      }
      if (fault?.kind === "invalid-json") {
        finish(200);
        const text = '{"id":"chatcmpl-loopback","choices":[{"message":';
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
        return;
      }

      const { answer, content, finishReason } = buildAnswer(req, fault);
      const reasoning = options.reasoning?.(req) ?? "";
      const usage = computeUsage(req.messages, content);
      usage.completion_tokens += reasoning === "" ? 0 : countText(reasoning);
      entry.answer = answer;
      entry.content = content;
      entry.finishReason = finishReason;
      entry.usage = usage;
      if (entry.stream) {
        isStreaming = true;
        const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
        const stallAt = fault?.kind === "stall" ? (fault.afterFraction ?? 0.5) : undefined;
        await streamAnswer({
          req, res, entry, content, reasoning, finishReason, usage: includeUsage ? usage : undefined, stallAt, headers: rateHeaders, pause,
          complete: () => {
            isStreamComplete = true;
            finish(200);
          },
        });
        return;
      }
      const decodeMs = options.tokensPerSecond ? (usage.completion_tokens / options.tokensPerSecond) * 1000 : 0;
      if (decodeMs > 0) {
        isSettled = false;
        await pause(decodeMs);
        if (res.destroyed) return;
        isSettled = true;
      }
      finish(200);
      sendJson(res, 200, {
        id: `chatcmpl-loopback-${req.seq}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: req.model || models[0],
        choices: [
          {
            index: 0,
            message: { role: "assistant", content, refusal: null },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage: {
          prompt_tokens: usage.prompt_tokens,
          completion_tokens: usage.completion_tokens,
          total_tokens: usage.prompt_tokens + usage.completion_tokens,
          prompt_tokens_details: { cached_tokens: usage.cached_tokens },
          // Moonshot reports the cached count at the top level.
          cached_tokens: usage.cached_tokens,
        },
      }, rateHeaders);
    };

    try {
      await answerAdmitted();
    } catch (error) {
      // A throwing test hook must surface as a visible 500 in the log and on the wire, not a hung request.
      if (res.headersSent || res.destroyed) return;
      isSettled = true;
      reject(500, `loopback hook failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const server = http.createServer({ keepAlive: true }, (httpReq, res) => {
    const path = (httpReq.url ?? "/").split("?")[0].replace(/\/+$/, "");
    const chunks: Buffer[] = [];
    httpReq.on("data", (chunk: Buffer) => chunks.push(chunk));
    httpReq.on("end", () => {
      if (isClosing) return void httpReq.socket.destroy();
      const rawBody = Buffer.concat(chunks).toString("utf8");
      if (httpReq.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
        handleChat(httpReq, res, path, rawBody).catch((error: unknown) => {
          if (!res.headersSent && !res.destroyed) {
            const message = error instanceof Error ? error.message : String(error);
            sendJson(res, 500, errorBody(500, `loopback hook failed: ${message}`));
          }
        });
        return;
      }
      if (httpReq.method === "GET" && (path === "/v1/models" || path === "/models")) {
        modelRequests++;
        if (!isAuthorized(httpReq)) return sendJson(res, 401, errorBody(401, undefined));
        return sendJson(res, 200, {
          object: "list",
          data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "loopback" })),
        });
      }
      sendJson(res, 404, errorBody(404, `No route ${httpReq.method} ${path}`));
    });
  });
  // Hundreds of agents each hold a connection; Node's defaults are fine but say it explicitly.
  server.maxConnections = 100_000;
  server.keepAliveTimeout = 30_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: options.port ?? 0, backlog: 2048 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    inFlight: () => inFlight,
    stats() {
      const byStatus: Record<string, number> = {};
      let promptTokens = 0;
      let completionTokens = 0;
      let cachedTokens = 0;
      let admitted = 0;
      let rejected429 = 0;
      let rejectedRateLimit = 0;
      for (const r of requests) {
        if (r.finishedAt !== undefined) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
        if (r.isAdmitted) admitted++;
        else if (r.rateLimitedBy) rejectedRateLimit++;
        else if (r.status === 429) rejected429++;
        promptTokens += r.usage?.prompt_tokens ?? 0;
        completionTokens += r.usage?.completion_tokens ?? 0;
        cachedTokens += r.usage?.cached_tokens ?? 0;
      }
      return {
        requests: requests.length,
        answered: byStatus[200] ?? 0,
        byStatus,
        promptTokens,
        completionTokens,
        cachedTokens,
        maxInFlight,
        admitted,
        rejected429,
        rejectedRateLimit,
        modelRequests,
      };
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => arrivalWaiters.push({ count, resolve }));
    },
    reset() {
      requests.length = 0;
      seq = 0;
      nthByTarget = new Map();
      ruleUses = new Map();
      seenPrefixes = new Set();
      latencyRng = mulberry32(options.seed ?? 1);
      faultRng = mulberry32(options.random?.seed ?? 0);
      maxInFlight = inFlight;
      modelRequests = 0;
      charges = [];
    },
    async close() {
      isClosing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Standalone: node --import tsx test/support/loopback-server.ts --port 8787 [--latency 20]

function readFlag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

async function main(args: string[]): Promise<void> {
  const num = (name: string) => {
    const value = readFlag(args, name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new TypeError(`${name}: expected a number ≥ 0, got \`${value}\``);
    return n;
  };
  const server = await startLoopbackServer({
    port: num("--port") ?? 8787,
    latencyMs: num("--latency"),
    apiKey: readFlag(args, "--api-key"),
    maxConcurrent: num("--max-concurrent"),
  });
  process.stdout.write(`loopback server listening at ${server.url}\n`);
  const stop = () => {
    const s = server.stats();
    process.stdout.write(`\n${JSON.stringify(s)}\n`);
    void server.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`loopback: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
