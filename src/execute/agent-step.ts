// One agent step: request → judge the answer → journal → retry decision. The queue (engine.ts) decides
// when a step may start and what its outcome means for the task and the run; this file decides what one
// request produced. It never touches the queue, the limit or the budget: it reports to them through StepHost.
import { zeroUsage, type ErrorInfo, type StepKind, type StepRecord, type Task } from "../core/index.js";
import type { EventBus } from "../events/index.js";
import { StepFailure, type ChatProvider, type ChatRequest, type ChatResponse, type StreamProgress } from "../llm/index.js";
import { answerOptions, applyEditAnswer, FORMAT_FAILURES, isEditAnswer, MAX_FORMAT_RETRIES, parseAnswer, type EditTarget } from "../prompt/index.js";
import { answerByteCap, DEFAULT_MAX_DELETION_RATIO, screenAnswer, type AnswerLimits } from "../secrets/index.js";
import { retryDelayMs, shouldRetry, type RetrySettings } from "./retry-policy.js";

/** What an answer is worth: the content to use, or why it cannot be used (with the rejected answer's hash). */
export type AnswerVerdict = { ok: true; content: string } | { ok: false; error: ErrorInfo; answerHash?: string };

/** What a step's answer is judged against besides itself. */
interface AnswerContext {
  request: ChatRequest;
  kind: StepKind;
  limits: AnswerLimits;
  /** The provider's exact-key check; the key itself stays in the provider. */
  containsApiKey?: (text: string) => boolean;
  /** The request asked for SEARCH/REPLACE edits of this file. */
  edit?: EditTarget;
}

/**
 * The one decision "answer → usable content or a failure reason". Every check an answer must pass
 * before it is journaled, counted, written or shown to a later prompt belongs here: finish reason and
 * the fenced block, then the untrusted-input screen (secrets, size, control bytes, mass deletion). A
 * failure is journaled with its reason (and a rejected answer's hash) only, never with the content, and
 * is retried like a malformed answer while the retry budget lasts.
 */
function judgeAnswer(answer: ChatResponse, context: AnswerContext): AnswerVerdict {
  const parsed = readAnswer(answer, context);
  if (!parsed.ok) return parsed;
  const screened = screenAnswer({
    answer: parsed.content,
    role: context.kind,
    ...context.limits,
    ...(context.containsApiKey ? { containsApiKey: context.containsApiKey } : {}),
  });
  if (!screened.ok) return { ok: false, error: { code: "unsafe-answer", message: screened.reason }, answerHash: screened.hash };
  return parsed;
}

/**
 * The content an answer carries: its SEARCH/REPLACE edits applied to the file the model was shown, or its one
 * fenced block. A request for edits answered with the whole file anyway is taken whole: that answer is usable
 * as it is (and truncation is caught by parseAnswer either way).
 */
function readAnswer(answer: ChatResponse, context: AnswerContext): AnswerVerdict {
  const { edit } = context;
  const text = typeof answer.text === "string" ? answer.text : "";
  if (edit && answer.finishReason !== "length" && isEditAnswer(text)) return applyEditAnswer(edit.content, edit.path, text);
  const whole = parseAnswer(answer.text, answer.finishReason, answerOptions(context.request.messages));
  if (whole.ok || !edit || whole.error.code === "truncated") return whole;
  return { ok: false, error: { code: "edit-failed", message: 'no "<<<<<<< SEARCH" block in the answer' } };
}

/** The screen's limits for a task when the run gives none: no source to compare with, default caps. */
function defaultAnswerLimits(task: Task): AnswerLimits {
  return { source: undefined, maxAnswerBytes: answerByteCap(task.bytes), maxDeletionRatio: DEFAULT_MAX_DELETION_RATIO, allowDeletions: false };
}

/** How a request ended, as far as the in-flight limit cares. */
export type RequestEnd = "usable" | "rate-limited" | "other";

/** What a step needs from the run it belongs to; fixed for the whole run. */
export interface StepRun {
  provider: ChatProvider;
  bus: EventBus;
  journal: { append(record: StepRecord): Promise<void> };
  timeoutMs: number;
  /** A stream silent this long is cancelled and retried; undefined: the provider's default. */
  stallTimeoutMs?: number;
  /** Streamed progress of a step's request (output tokens so far). */
  onProgress?: (step: AgentStep, progress: StreamProgress) => void;
  retry: RetrySettings;
  /** What each task's answers are screened against (its source text, caps); absent: defaultAnswerLimits. */
  answerLimits?: (task: Task) => AnswerLimits;
  /** Cancels the request in flight (abort, or a rejected key elsewhere in the run). */
  signal: AbortSignal;
  random: () => number;
}

/** The queue's side of one step: told when the request ends, asked whether the run stops, charged once journaled. */
export interface StepHost {
  /** Called once, as soon as the request ended and before anything is written: feeds the in-flight limit. */
  requestEnded(end: RequestEnd, answer?: Pick<ChatResponse, "usage" | "rateLimit">): void;
  /** Whether the run is stopping; a stopping run starts no retry. Read after the answer. */
  isStopping(): boolean;
  /** Books a journaled step (usage, latency, spend) and returns its cost in USD for step.finished. */
  charge(record: StepRecord): number;
}

export interface AgentStep {
  task: Task;
  kind: StepKind;
  /** 1 for the first request of the task (in this kind), counting requests journaled by earlier processes. */
  attempt: number;
  /** Earlier steps of this task whose answer broke the format; at MAX_FORMAT_RETRIES another one is final. */
  formatFailures?: number;
  /** Earlier steps of this task refused with a 429, this one excluded: they do not count against `retry.attempts`. */
  rateLimited?: number;
  request: ChatRequest;
  /** The request asks for SEARCH/REPLACE edits of this file instead of the whole file. */
  edit?: EditTarget;
}

/** What the task does next, as the step sees it. */
export type StepVerdict =
  | { next: "succeeded"; content: string }
  /** The queue waits `delayMs`, then runs the task's next attempt. */
  | { next: "retry"; delayMs: number }
  /**
   * Not the task's last word: a step cut short by a stop, a cancel or a rejected key is asked again by
   * `swarm resume`. `error` is absent when the run's stop cut it short (the queue names the stop).
   */
  | { next: "cut-short"; error?: ErrorInfo }
  | { next: "failed"; error: ErrorInfo };

export interface StepOutcome {
  /** As journaled (fsync'd) before this resolves. */
  record: StepRecord;
  verdict: StepVerdict;
  /** The endpoint rejected the key: nothing else in the run can succeed. */
  stopsRun: boolean;
}

/** What one request produced, before the retry decision. */
interface Attempted {
  record: StepRecord;
  /** The same request may do better next time (transient failure or an unusable answer). */
  retriable: boolean;
  stopsRun: boolean;
  retryAfterMs?: number;
}

/**
 * Runs one step: emits step.started, sends the request, judges the answer, decides retry / cut short /
 * final, journals the record (that decision included) and emits step.finished. Rejects only on a bug or a
 * failed journal write; every failure of the request or the answer is data in the outcome.
 */
export async function runAgentStep(run: StepRun, step: AgentStep, host: StepHost): Promise<StepOutcome> {
  const { task, kind, attempt, request } = step;
  run.bus.emit({ type: "step.started", taskId: task.id, kind, attempt, model: request.model, ...(step.edit ? { format: "search-replace" as const } : {}) });
  const attempted = await requestAnswer(run, step, host);
  const { record } = attempted;

  const decision = decideNext(attempted, attempt, run.retry, host.isStopping(), step.formatFailures ?? 0, step.rateLimited ?? 0, request.maxOutputTokens);
  record.final = decision.next === "succeeded" || decision.next === "failed";
  await run.journal.append(record);
  const costUSD = host.charge(record);
  run.bus.emit({
    type: "step.finished",
    taskId: task.id,
    kind,
    attempt,
    ok: record.ok,
    usage: record.usage,
    costUSD,
    latencyMs: record.latencyMs,
    ...(record.error ? { error: record.error } : {}),
  });
  const verdict: StepVerdict =
    decision.next === "retry" ? { next: "retry", delayMs: retryDelayMs(attempt, run.retry, run.random, attempted.retryAfterMs) } : decision;
  return { record, verdict, stopsRun: attempted.stopsRun };
}

/** Sends the step's request and judges the answer; every failure of either comes back as data. */
async function requestAnswer(run: StepRun, step: AgentStep, host: StepHost): Promise<Attempted> {
  const base = { taskId: step.task.id, kind: step.kind, attempt: step.attempt, model: step.request.model, final: false, ...(step.edit ? { format: "search-replace" as const } : {}) };
  const limits = run.answerLimits?.(step.task) ?? defaultAnswerLimits(step.task);
  try {
    const onProgress = run.onProgress;
    const answer = await run.provider.complete(step.request, {
      maxAnswerBytes: limits.maxAnswerBytes,
      signal: run.signal,
      timeoutMs: run.timeoutMs,
      ...(run.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: run.stallTimeoutMs }),
      ...(onProgress ? { onProgress: (p: StreamProgress) => onProgress(step, p) } : {}),
    });
    const containsApiKey = run.provider.containsApiKey?.bind(run.provider);
    const judged = judgeAnswer(answer, { request: step.request, kind: step.kind, limits, ...(containsApiKey ? { containsApiKey } : {}), ...(step.edit ? { edit: step.edit } : {}) });
    host.requestEnded(judged.ok ? "usable" : "other", answer);
    return {
      record: {
        ...base,
        ok: judged.ok,
        ...(judged.ok ? { content: judged.content } : { error: judged.error, ...(judged.answerHash ? { answerHash: judged.answerHash } : {}) }),
        usage: answer.usage,
        latencyMs: answer.latencyMs,
        finishReason: answer.finishReason ?? undefined,
      },
      retriable: !judged.ok,
      stopsRun: false,
    };
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    host.requestEnded(error.info.code === "rate-limited" ? "rate-limited" : "other");
    return {
      record: {
        ...base,
        ok: false,
        error: error.info,
        usage: error.usage ?? zeroUsage(),
        latencyMs: error.latencyMs,
        ...(error.status === undefined ? {} : { status: error.status }),
      },
      retriable: error.failure === "transient",
      stopsRun: error.failure === "fatal-run",
      retryAfterMs: error.retryAfterMs,
    };
  }
}

/** A verdict whose retry delay is not drawn yet: the jitter is drawn once the step is journaled. */
type Decision = Exclude<StepVerdict, { next: "retry" }> | { next: "retry" };

/**
 * Retry, cut short or final. A step cut short by a stop is not the task's last word: resume tries it
 * again. So is a rejected key: once it is fixed, `swarm resume` must ask again.
 */
function decideNext(attempted: Attempted, attempt: number, retry: RetrySettings, isStopping: boolean, formatFailures: number, rateLimited: number, maxOutputTokens: number): Decision {
  const { record, retriable, stopsRun } = attempted;
  if (record.ok) return { next: "succeeded", content: record.content! };
  const error = record.error!;
  // Cut at the very max_tokens it asked for: the same request would be cut at the same place, and paid for again.
  if (error.code === "truncated" && record.usage.outputTokens >= maxOutputTokens) {
    return { next: "failed", error: { ...error, message: `${error.message}; cut at the request's max output (${maxOutputTokens} tokens), so not asked again` } };
  }
  const aborted = error.code === "aborted";
  const formatSpent = FORMAT_FAILURES.has(error.code) && formatFailures >= MAX_FORMAT_RETRIES;
  const isRateLimited = error.code === "rate-limited";
  const mayRetry = retriable && !formatSpent && shouldRetry(attempt, retry, isRateLimited ? rateLimited + 1 : rateLimited, isRateLimited);
  if (mayRetry && !isStopping && !aborted) return { next: "retry" };
  if (stopsRun) return { next: "cut-short", error };
  if (aborted) return { next: "cut-short", error: { code: "aborted", message: "cancelled in flight" } };
  if (mayRetry && isStopping) return { next: "cut-short" };
  return { next: "failed", error };
}
