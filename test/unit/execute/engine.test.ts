import { describe, expect, it } from "vitest";
import type { Plan, Role, StepRecord, Task } from "../../../src/core/types.js";
import { EventBus } from "../../../src/events/bus.js";
import type { SwarmEvent } from "../../../src/events/types.js";
import { executePlan, type EngineDeps, type EngineSettings } from "../../../src/execute/engine.js";
import { StepFailure, type ChatProvider, type ChatRequest, type ChatResponse } from "../../../src/llm/provider.js";

// The engine against a scripted provider (our own ChatProvider interface, not the SDK): every
// request is held until the test answers it, so ordering is decided by the test, not by timers.

interface Call {
  taskId: string;
  attempt: number;
  signal: AbortSignal;
  answer(text?: string): void;
  fail(failure: StepFailure): void;
}

const task = (role: Role, file: string, dependsOn: string[] = []): Task => ({
  id: `${role}:${file}`,
  role,
  file,
  output: role === "refactor" ? file : role === "test" ? file.replace(/\.ts$/, ".test.ts") : `docs/${file}.md`,
  dependsOn,
  bytes: 10,
});

const trio = (file: string): Task[] => [task("refactor", file), task("test", file, [`refactor:${file}`]), task("doc", file, [`refactor:${file}`])];

const planOf = (tasks: Task[]): Plan => ({ version: 1, roles: ["refactor", "test", "doc"], tasks, files: [], skips: [] });

const block = (text: string) => `\`\`\`ts\n${text}\n\`\`\``;
const usage = { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5 };

const failure = (kind: "429" | "500" | "400" | "401", retryAfterMs?: number) => {
  const table = {
    "429": { failure: "transient", code: "rate-limited", status: 429 },
    "500": { failure: "transient", code: "server-error", status: 500 },
    "400": { failure: "fatal-task", code: "bad-request", status: 400 },
    "401": { failure: "fatal-run", code: "auth", status: 401 },
  } as const;
  const t = table[kind];
  return new StepFailure({ failure: t.failure, info: { code: t.code, message: `HTTP ${t.status}` }, status: t.status, latencyMs: 1, retryAfterMs });
};

/** A provider whose every request waits for the test; `auto` answers some at once. */
function scriptedProvider(auto?: (taskId: string, attempt: number) => "ok" | StepFailure | undefined) {
  const calls: Call[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const provider: ChatProvider = {
    complete(request: ChatRequest, { signal }): Promise<ChatResponse> {
      const last = request.messages.at(-1)!.content;
      const taskId = /^Task: (.*)$/m.exec(last)![1]!;
      const attempt = (attempts.get(taskId) ?? 0) + 1;
      attempts.set(taskId, attempt);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<ChatResponse>((resolve, reject) => {
        const onAbort = () => call.fail(new StepFailure({ failure: "fatal-task", info: { code: "aborted", message: "aborted" }, latencyMs: 1 }));
        let isDone = false;
        const done = () => {
          isDone = true;
          inFlight--;
          signal.removeEventListener("abort", onAbort);
        };
        const call: Call = {
          taskId,
          attempt,
          signal,
          answer: (text = `// ${taskId}`) => {
            if (isDone) return;
            done();
            resolve({ text: block(text), finishReason: "stop", usage, latencyMs: 1 });
          },
          fail: (f) => {
            if (isDone) return;
            done();
            reject(f);
          },
        };
        signal.addEventListener("abort", onAbort, { once: true });
        calls.push(call);
        for (const w of waiters.filter((w) => calls.length >= w.count)) w.resolve();
        const scripted = auto?.(taskId, attempt);
        if (scripted === "ok") call.answer();
        else if (scripted) call.fail(scripted);
      });
    },
    preflight: async () => {},
  };
  return {
    provider,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Resolves once `count` requests have been made. */
    waitForCalls: (count: number) => (calls.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    call: (taskId: string, attempt = 1) => calls.find((c) => c.taskId === taskId && c.attempt === attempt),
  };
}

const defaults: EngineSettings = { concurrency: 8, timeoutMs: 1000, retry: { attempts: 3, baseMs: 0, maxMs: 0 }, maxSteps: 1000, maxCostUSD: null };

function run(tasks: Task[], provider: ChatProvider, settings: Partial<EngineSettings> = {}, extra: Partial<EngineDeps> = {}) {
  const events: SwarmEvent[] = [];
  const journal: StepRecord[] = [];
  const bus = new EventBus("run-test", () => 0);
  bus.subscribe((e) => events.push(e));
  const drain = new AbortController();
  const abort = new AbortController();
  const done = executePlan({
    plan: planOf(tasks),
    provider,
    bus,
    journal: { append: async (r) => void journal.push(r) },
    prior: [],
    settings: { ...defaults, ...settings },
    requestFor: (t) => ({
      request: { model: "m", messages: [{ role: "user", content: `Task: ${t.id}` }], maxOutputTokens: 100 },
      estimatedUSD: 0.01,
    }),
    costUSD: () => 0.01,
    isChange: () => true,
    drain: drain.signal,
    abort: abort.signal,
    random: () => 0.5,
    ...extra,
  });
  return { done, events, journal, drain, abort };
}

const types = (events: SwarmEvent[], taskId?: string) =>
  events.filter((e) => taskId === undefined || ("taskId" in e && e.taskId === taskId)).map((e) => e.type);

/** Lets queued microtasks and p-queue's scheduling run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("executePlan: the DAG", () => {
  it("starts a test the moment its refactor succeeds, while an unrelated refactor is still in flight", async () => {
    const fake = scriptedProvider();
    const r = run([...trio("a.ts"), ...trio("b.ts")], fake.provider);
    await fake.waitForCalls(2);
    expect(fake.calls.map((c) => c.taskId).sort()).toEqual(["refactor:a.ts", "refactor:b.ts"]);
    fake.call("refactor:a.ts")!.answer();
    await fake.waitForCalls(4);
    expect(fake.calls.slice(2).map((c) => c.taskId).sort()).toEqual(["doc:a.ts", "test:a.ts"]);
    expect(fake.call("refactor:b.ts")).toBeDefined();
    expect(r.events.some((e) => e.type === "task.started" && e.taskId === "test:b.ts")).toBe(false);
    // test:a was queued after refactor:a finished, never before.
    const finishedAt = r.events.findIndex((e) => e.type === "task.finished" && e.taskId === "refactor:a.ts");
    const queuedAt = r.events.findIndex((e) => e.type === "task.queued" && e.taskId === "test:a.ts");
    expect(queuedAt).toBeGreaterThan(finishedAt);
    for (const c of fake.calls.slice(1)) c.answer();
    await fake.waitForCalls(6);
    for (const c of fake.calls.slice(4)) c.answer();
    const result = await r.done;
    expect(result.stoppedBy).toBe("completed");
    expect([...result.results.values()].every((t) => t.status === "succeeded")).toBe(true);
  });

  it("fails the dependents of a failed refactor as dependency-failed without requesting them", async () => {
    const fake = scriptedProvider((id) => (id === "refactor:a.ts" ? failure("400") : "ok"));
    const result = await run([...trio("a.ts"), ...trio("b.ts")], fake.provider).done;
    expect(result.results.get("refactor:a.ts")).toMatchObject({ status: "failed", attempts: 1, error: { code: "bad-request" } });
    for (const id of ["test:a.ts", "doc:a.ts"]) {
      expect(result.results.get(id)).toMatchObject({ status: "failed", attempts: 0, error: { code: "dependency-failed", message: "refactor:a.ts failed" } });
    }
    expect(fake.calls.map((c) => c.taskId).sort()).toEqual(["doc:b.ts", "refactor:a.ts", "refactor:b.ts", "test:b.ts"]);
    expect(result.stoppedBy).toBe("completed");
  });

  it("retries a transient failure up to retry.attempts in all, then fails with the last error", async () => {
    const fake = scriptedProvider((id) => (id === "refactor:a.ts" ? failure("500") : "ok"));
    const r = run(trio("a.ts"), fake.provider, { retry: { attempts: 4, baseMs: 0, maxMs: 0 } });
    const result = await r.done;
    expect(fake.calls.filter((c) => c.taskId === "refactor:a.ts").map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(result.results.get("refactor:a.ts")).toMatchObject({ status: "failed", attempts: 4, error: { code: "server-error" } });
    expect(r.events.filter((e) => e.type === "step.retry")).toHaveLength(3);
    expect(r.journal.map((s) => s.final)).toEqual([false, false, false, true]);
  });
});

describe("executePlan: 429s are not the task's failures", () => {
  it("a task refused by 429s between its real failures still gets retry.attempts real tries, under a larger 429 cap", async () => {
    // Odd tries are refused with a 429, even ones fail with a 500: 3 real failures need 6 tries.
    const fake = scriptedProvider((id, attempt) => (attempt % 2 === 1 ? failure("429", 0) : failure("500")));
    const r = run([task("refactor", "a.ts")], fake.provider, { retry: { attempts: 3, baseMs: 0, maxMs: 0 } });
    const result = await r.done;
    expect(fake.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.results.get("refactor:a.ts")).toMatchObject({ status: "failed", error: { code: "server-error" } });
  });

  it("a task refused every time stops at the 429 cap instead of retrying forever", async () => {
    const fake = scriptedProvider(() => failure("429", 0));
    const r = run([task("refactor", "a.ts")], fake.provider, { retry: { attempts: 3, baseMs: 0, maxMs: 0 } });
    const result = await r.done;
    expect(fake.calls).toHaveLength(12);
    expect(result.results.get("refactor:a.ts")).toMatchObject({ status: "failed", error: { code: "rate-limited" } });
  });

  it("a refused request keeps its slot while it waits: no other task is sent in its place meanwhile", async () => {
    const fake = scriptedProvider((id, attempt) => (id === "refactor:a.ts" && attempt === 1 ? failure("429", 1000) : undefined));
    const r = run(["a.ts", "b.ts", "c.ts"].map((f) => task("refactor", f)), fake.provider, { concurrency: 2, retry: { attempts: 3, baseMs: 0, maxMs: 0 } });
    await fake.waitForCalls(2);
    for (let i = 0; i < 5; i++) await settle();
    // a.ts was refused and waits out its Retry-After (1 s); b.ts is in flight; c.ts must not have been sent.
    expect(fake.calls.map((c) => c.taskId)).toEqual(["refactor:a.ts", "refactor:b.ts"]);
    fake.call("refactor:b.ts")!.answer();
    await fake.waitForCalls(3);
    fake.call("refactor:c.ts")!.answer();
    await fake.waitForCalls(4);
    fake.call("refactor:a.ts", 2)!.answer();
    expect([...(await r.done).results.values()].every((t) => t.status === "succeeded")).toBe(true);
  });
});

describe("executePlan: budgets", () => {
  it("stops at maxSteps: no new step starts, the ones in flight finish, the rest is not-run with the reason", async () => {
    const fake = scriptedProvider();
    const r = run([...trio("a.ts"), ...trio("b.ts"), ...trio("c.ts")], fake.provider, { maxSteps: 2 });
    await fake.waitForCalls(2);
    await settle();
    expect(r.events.filter((e) => e.type === "budget.exhausted")).toMatchObject([{ budget: "steps", used: 2, limit: 2 }]);
    expect(r.events.filter((e) => e.type === "run.draining")).toMatchObject([{ reason: "budget" }]);
    // Both in-flight requests were left alone and still count.
    expect(fake.calls.every((c) => !c.signal.aborted)).toBe(true);
    for (const c of fake.calls) c.answer();
    const result = await r.done;
    expect(fake.calls).toHaveLength(2);
    expect(result.stoppedBy).toBe("budget");
    expect(result.budget).toBe("steps");
    const statuses = [...result.results.values()].map((t) => `${t.id}=${t.status}`);
    expect(statuses.filter((s) => s.endsWith("=succeeded")).sort()).toEqual(["refactor:a.ts=succeeded", "refactor:b.ts=succeeded"]);
    const notRun = [...result.results.values()].filter((t) => t.status === "not-run");
    expect(notRun).toHaveLength(7);
    expect(notRun.every((t) => t.error?.code === "budget")).toBe(true);
    expect(result.steps).toHaveLength(2);
  });

  it("stops at maxCostUSD before a step that could cross it", async () => {
    const fake = scriptedProvider(() => "ok");
    const result = await run(trio("a.ts"), fake.provider, { maxCostUSD: 0.025, concurrency: 1 }).done;
    // Each step is estimated and billed at $0.01: two fit, the third would reach $0.03.
    expect(fake.calls).toHaveLength(2);
    expect(result.stoppedBy).toBe("budget");
    expect(result.budget).toBe("cost");
    expect(result.results.get("doc:a.ts")).toMatchObject({ status: "not-run", error: { code: "budget" } });
  });

  it("settles when a stop leaves queued steps behind (they become not-run)", async () => {
    const fake = scriptedProvider();
    const r = run([task("refactor", "a.ts"), task("refactor", "b.ts"), task("refactor", "c.ts"), task("refactor", "d.ts")], fake.provider, { concurrency: 2 });
    await fake.waitForCalls(2);
    r.drain.abort();
    for (const c of fake.calls) c.answer();
    const result = await r.done;
    expect(result.stoppedBy).toBe("interrupt");
    expect(fake.calls).toHaveLength(2);
    expect([...result.results.values()].filter((t) => t.status === "not-run").map((t) => t.error?.code)).toEqual(["interrupted", "interrupted"]);
  });
});

describe("executePlan: stops", () => {
  it("drain lets in-flight steps finish; abort then cancels what is still in flight", async () => {
    const fake = scriptedProvider();
    const r = run([...trio("a.ts"), ...trio("b.ts")], fake.provider);
    await fake.waitForCalls(2);
    r.drain.abort();
    await settle();
    expect(fake.calls.every((c) => !c.signal.aborted)).toBe(true);
    fake.call("refactor:a.ts")!.answer();
    await settle();
    r.abort.abort();
    const result = await r.done;
    expect(types(r.events).filter((t) => t === "run.draining" || t === "run.aborting")).toEqual(["run.draining", "run.aborting"]);
    expect(fake.calls).toHaveLength(2);
    expect(result.stoppedBy).toBe("interrupt");
    expect(result.results.get("refactor:a.ts")!.status).toBe("succeeded");
    expect(result.results.get("refactor:b.ts")).toMatchObject({ status: "not-run", error: { code: "aborted" } });
    // The cancelled step is journaled as not final, so a resume asks again.
    expect(r.journal.find((s) => s.taskId === "refactor:b.ts")).toMatchObject({ ok: false, final: false });
  });

  it("a rejected key stops the run at once, cancels in-flight requests, and is not journaled as the task's last word", async () => {
    const fake = scriptedProvider();
    const r = run([...trio("a.ts"), ...trio("b.ts"), ...trio("c.ts")], fake.provider);
    await fake.waitForCalls(3);
    fake.call("refactor:a.ts")!.fail(failure("401"));
    const result = await r.done;
    expect(fake.calls).toHaveLength(3);
    expect(result.stoppedBy).toBe("auth");
    expect(result.fatal).toMatchObject({ code: "auth" });
    expect(fake.calls.filter((c) => c.taskId !== "refactor:a.ts").every((c) => c.signal.aborted)).toBe(true);
    expect([...result.results.values()].filter((t) => t.status === "succeeded")).toHaveLength(0);
    expect(result.results.get("refactor:a.ts")).toMatchObject({ status: "not-run", error: { code: "auth" } });
    // After the key is fixed, `swarm resume` must try every task again.
    expect(r.journal.every((s) => !s.final)).toBe(true);
  });
});

describe("executePlan: adaptive limit", () => {
  it("cuts the limit on 429, grows it back on successes, never above concurrency, and emits limit.changed", async () => {
    // The first 4 requests of the run are rate-limited, everything after succeeds.
    let seen = 0;
    const fake = scriptedProvider(() => (++seen <= 4 ? failure("429", 0) : "ok"));
    // Enough tasks for a quiet window (20 request ends without a 429) at each step back up.
    const files = Array.from({ length: 60 }, (_, i) => `f${i}.ts`);
    const r = run(files.map((f) => task("refactor", f)), fake.provider, { concurrency: 4, retry: { attempts: 5, baseMs: 0, maxMs: 0 } });
    const result = await r.done;
    const changes = r.events.filter((e) => e.type === "limit.changed");
    // All four were refused, none admitted ahead of the first: the cut goes to the floor (a quarter, 1).
    expect(changes[0]).toMatchObject({ limit: 1, max: 4, reason: "rate-limited" });
    expect(changes.at(-1)).toMatchObject({ limit: 4, reason: "recovered" });
    expect(changes.every((e) => e.type === "limit.changed" && e.limit <= 4 && e.limit >= 1)).toBe(true);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
    expect([...result.results.values()].every((t) => t.status === "succeeded")).toBe(true);
  });

  it("honours Retry-After: the retry waits at least what the server asked for", async () => {
    const fake = scriptedProvider((id, attempt) => (attempt === 1 ? failure("429", 30) : "ok"));
    const r = run([task("refactor", "a.ts")], fake.provider, { retry: { attempts: 3, baseMs: 1, maxMs: 5 } });
    await r.done;
    const retry = r.events.find((e) => e.type === "step.retry");
    expect(retry).toMatchObject({ taskId: "refactor:a.ts", attempt: 1, status: 429 });
    expect(retry!.type === "step.retry" && retry!.delayMs).toBeGreaterThanOrEqual(30);
  });
});

describe("executePlan: resume from a journal", () => {
  const record = (taskId: string, attempt: number, ok: boolean, final: boolean): StepRecord => ({
    taskId,
    kind: taskId.split(":")[0] as Role,
    attempt,
    model: "m",
    ok,
    ...(ok ? { content: `// ${taskId}\n` } : { error: { code: "server-error", message: "HTTP 500" } }),
    usage,
    latencyMs: 1,
    final,
  });

  it("requests nothing the journal decided, and each released task exactly once", async () => {
    const fake = scriptedProvider(() => "ok");
    const prior = [
      record("refactor:a.ts", 1, true, true),
      record("test:a.ts", 1, true, true),
      record("refactor:b.ts", 1, false, false), // retry was pending when the process died
    ];
    const r = run([...trio("a.ts"), ...trio("b.ts")], fake.provider, {}, { prior });
    const result = await r.done;
    expect(fake.calls.map((c) => `${c.taskId}#${c.attempt}`).sort()).toEqual(["doc:a.ts#1", "doc:b.ts#1", "refactor:b.ts#1", "test:b.ts#1"]);
    expect(result.results.get("refactor:b.ts")).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(r.journal.find((s) => s.taskId === "refactor:b.ts")).toMatchObject({ attempt: 2 });
    expect(result.results.get("test:a.ts")).toMatchObject({ status: "succeeded", content: "// test:a.ts\n" });
    expect(result.steps).toHaveLength(prior.length + 4);
    expect(result.stoppedBy).toBe("completed");
  });

  it("keeps a dependency failure decided by the journal without asking again", async () => {
    const fake = scriptedProvider(() => "ok");
    const prior = [record("refactor:a.ts", 1, false, true)];
    const result = await run(trio("a.ts"), fake.provider, {}, { prior }).done;
    expect(fake.calls).toHaveLength(0);
    expect(result.results.get("test:a.ts")).toMatchObject({ status: "failed", error: { code: "dependency-failed" } });
  });
});

describe("executePlan: a provider that breaks its contract", () => {
  it("rejects instead of hanging when a step throws something other than a StepFailure", async () => {
    const provider: ChatProvider = { complete: () => Promise.reject(new TypeError("boom")), preflight: async () => {} };
    await expect(run(trio("a.ts"), provider).done).rejects.toThrow("boom");
  });
});
