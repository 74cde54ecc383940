import { describe, expect, it } from "vitest";
import type { StepErrorCode, StepRecord, Task } from "../../../src/core/types.js";
import { EventBus } from "../../../src/events/bus.js";
import type { SwarmEvent } from "../../../src/events/types.js";
import { runAgentStep, type RequestEnd, type StepHost, type StepRun } from "../../../src/execute/agent-step.js";
import { StepFailure, type ChatResponse, type CompleteOptions } from "../../../src/llm/provider.js";
import type { AnswerLimits } from "../../../src/secrets/index.js";

// One step against a provider that answers at once (our ChatProvider interface, not the SDK).

const task: Task = { id: "refactor:a.ts", role: "refactor", file: "a.ts", output: "a.ts", dependsOn: [], bytes: 10 };
const usage = { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5 };
const retry = { attempts: 3, baseMs: 100, maxMs: 1000 };

const KEY = "sk-unit-" + "Qw3rTy9UiOp2AsDf";

function harness(reply: ChatResponse | StepFailure, opts: { isStopping?: boolean; attempt?: number; rateLimited?: number; limits?: AnswerLimits } = {}) {
  const sent: CompleteOptions[] = [];
  const bus = new EventBus("run-1", () => 0);
  const log: string[] = [];
  const ends: RequestEnd[] = [];
  const journaled: StepRecord[] = [];
  bus.subscribe((event: SwarmEvent) => log.push(event.type));
  const run: StepRun = {
    provider: {
      complete: async (_request, options) => {
        sent.push(options);
        if (reply instanceof StepFailure) throw reply;
        return reply;
      },
      preflight: async () => {},
      containsApiKey: (text) => text.includes(KEY),
    },
    ...(opts.limits ? { answerLimits: () => opts.limits! } : {}),
    bus,
    journal: {
      append: async (record) => {
        log.push("journal");
        journaled.push(structuredClone(record));
      },
    },
    timeoutMs: 1000,
    retry,
    signal: new AbortController().signal,
    random: () => 0.5,
  };
  const host: StepHost = {
    requestEnded: (end) => ends.push(end),
    isStopping: () => opts.isStopping ?? false,
    charge: () => {
      log.push("charge");
      return 0.25;
    },
  };
  const step = { task, kind: "refactor" as const, attempt: opts.attempt ?? 1, rateLimited: opts.rateLimited ?? 0, request: { model: "m", messages: [], maxOutputTokens: 100 } };
  return { go: () => runAgentStep(run, step, host), log, ends, journaled, sent };
}

const answer = (text: string, finishReason = "stop"): ChatResponse => ({ text, finishReason, usage, latencyMs: 7 });
const failure = (failure: "transient" | "fatal-task" | "fatal-run", code: StepErrorCode) =>
  new StepFailure({ failure, info: { code, message: code }, latencyMs: 1 });

describe("runAgentStep", () => {
  it("journals a usable answer as final before announcing it, and charges it once", async () => {
    const h = harness(answer("```ts\nexport const a = 1;\n```"));
    const out = await h.go();
    expect(out.verdict).toEqual({ next: "succeeded", content: "export const a = 1;\n" });
    expect(h.journaled).toEqual([expect.objectContaining({ ok: true, final: true, content: "export const a = 1;\n", attempt: 1 })]);
    expect(h.log).toEqual(["step.started", "journal", "charge", "step.finished"]);
    expect(h.ends).toEqual(["usable"]);
  });

  it("retries an unusable answer without journaling its text, with the retry policy's delay", async () => {
    const h = harness(answer("no code block here"));
    const out = await h.go();
    expect(out.verdict.next).toBe("retry");
    expect(out.verdict.next === "retry" && out.verdict.delayMs).toBeGreaterThan(0);
    expect(h.journaled[0]).toMatchObject({ ok: false, final: false, error: { code: "no-code-block" } });
    expect(h.journaled[0].content).toBeUndefined();
    expect(h.ends).toEqual(["other"]);
  });

  it("rejects an answer holding the API key: retried, journaled with hash and reason only", async () => {
    const h = harness(answer("```ts\nexport const k = \"" + KEY + "\";\n```"));
    const out = await h.go();
    expect(out.verdict.next).toBe("retry");
    expect(h.journaled[0]).toMatchObject({ ok: false, error: { code: "unsafe-answer", message: "answer contains a secret (api-key)" } });
    expect(h.journaled[0].answerHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(h.journaled)).not.toContain(KEY);
    expect(h.ends).toEqual(["other"]);
  });

  it("screens against the task's source: mass deletion is rejected unless allowed; the byte cap reaches the provider", async () => {
    const source = Array.from({ length: 10 }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
    const limits: AnswerLimits = { source, maxAnswerBytes: 4096, maxDeletionRatio: 0.6, allowDeletions: false };
    const h = harness(answer("```ts\nPWNED\n```"), { limits });
    const out = await h.go();
    expect(out.record.error).toMatchObject({ code: "unsafe-answer", message: expect.stringContaining("answer deletes 9 of 10 non-blank lines") });
    expect(h.sent[0].maxAnswerBytes).toBe(4096);
    const allowed = await harness(answer("```ts\nPWNED\n```"), { limits: { ...limits, allowDeletions: true } }).go();
    expect(allowed.verdict.next).toBe("succeeded");
  });

  it("fails for good once the attempts are used up", async () => {
    const out = await harness(answer("no code block here"), { attempt: 3 }).go();
    expect(out.verdict).toMatchObject({ next: "failed", error: { code: "no-code-block" } });
    expect(out.record.final).toBe(true);
  });

  it("does not count 429s against the attempts: they have a separate, larger cap", async () => {
    // Attempt 3 of 3 after two 429s: only one real failure so far, so another 429 and an unusable answer both retry.
    expect((await harness(failure("transient", "rate-limited"), { attempt: 3, rateLimited: 2 }).go()).verdict.next).toBe("retry");
    expect((await harness(answer("no code block here"), { attempt: 3, rateLimited: 2 }).go()).verdict.next).toBe("retry");
    // Two real failures before it: the third is final, whatever the 429s.
    expect((await harness(answer("no code block here"), { attempt: 5, rateLimited: 2 }).go()).verdict.next).toBe("failed");
    // The 429s' own cap: the 12th refusal of a task is final.
    const capped = await harness(failure("transient", "rate-limited"), { attempt: 12, rateLimited: 11 }).go();
    expect(capped.verdict).toMatchObject({ next: "failed", error: { code: "rate-limited" } });
    expect((await harness(failure("transient", "rate-limited"), { attempt: 11, rateLimited: 10 }).go()).verdict.next).toBe("retry");
  });

  it("does not ask again an answer cut at the very max_tokens it asked for; a shorter cut is retried", async () => {
    const cut = (outputTokens: number): ChatResponse => ({ text: "```ts\nexport const a", finishReason: "length", usage: { ...usage, outputTokens }, latencyMs: 7 });
    const atCap = await harness(cut(100)).go();
    expect(atCap.verdict).toMatchObject({ next: "failed", error: { code: "truncated", message: expect.stringContaining("max output (100 tokens), so not asked again") } });
    expect(atCap.record.final).toBe(true);
    expect((await harness(cut(40)).go()).verdict.next).toBe("retry");
  });

  it("leaves a retriable failure to resume when the run is stopping", async () => {
    const h = harness(failure("transient", "rate-limited"), { isStopping: true });
    const out = await h.go();
    expect(out.verdict).toEqual({ next: "cut-short" });
    expect(out.record.final).toBe(false);
    expect(h.ends).toEqual(["rate-limited"]);
  });

  it("cuts short on a rejected key and says the run must stop", async () => {
    const out = await harness(failure("fatal-run", "auth")).go();
    expect(out).toMatchObject({ stopsRun: true, verdict: { next: "cut-short", error: { code: "auth" } }, record: { final: false } });
  });

  it("cuts short a cancelled request as cancelled in flight", async () => {
    const out = await harness(failure("transient", "aborted")).go();
    expect(out.verdict).toEqual({ next: "cut-short", error: { code: "aborted", message: "cancelled in flight" } });
  });

  it("fails a task-fatal request at once", async () => {
    const out = await harness(failure("fatal-task", "bad-request")).go();
    expect(out.verdict).toMatchObject({ next: "failed", error: { code: "bad-request" } });
    expect(out.record.final).toBe(true);
  });
});
