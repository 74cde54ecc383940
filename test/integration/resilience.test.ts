import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { ResolvedConfig } from "../../src/config/schema.js";
import { SwarmError } from "../../src/core/errors.js";
import type { TaskResult } from "../../src/core/types.js";
import type { RunSummary, SwarmEvent } from "../../src/events/types.js";
import { createOpenAIProvider } from "../../src/llm/openai-provider.js";
import { exitCodeFor } from "../../src/core/exit-codes.js";
import { runSwarm } from "../../src/pipeline.js";
import type { Report } from "../../src/report/types.js";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type FaultRule, type LoopbackOptions, type LoopbackServer } from "../support/loopback-server.js";
import { mulberry32 } from "../support/seeded-random.js";

// Issue 3, "resilient execution": a whole run in-process (real openai SDK → loopback server → real git)
// under seeded, keyed faults. Keyed draws depend on (role, file, nth) only, so the same requests get
// the same faults on every machine whatever the arrival order.

const KEY = "sk-test-resilience-0123456789";
const ATTEMPTS = 4;
const TIMEOUT_MS = 800;
const RETRY_AFTER_MS = 40;

interface Run {
  summary?: RunSummary;
  error?: unknown;
  events: SwarmEvent[];
  report?: Report;
  /** From run.finished: present even when runSwarm threw afterwards (rejected key). */
  finished?: RunSummary;
  server: LoopbackServer;
}

let configDir: string;
let configPath: string;
beforeAll(async () => {
  configDir = tempDir("swarm-resilience-config-");
  configPath = path.join(configDir, "swarm.config.json");
  // A small timeout and backoff keep the test quick; validation is out of scope here (no repair steps).
  await writeFile(
    configPath,
    JSON.stringify({ timeoutMs: TIMEOUT_MS, retry: { attempts: ATTEMPTS, baseMs: 5, maxMs: 50 }, concurrency: 16, validate: { enabled: false } }),
  );
});

async function runAgainst(repo: TempRepo, serverOptions: LoopbackOptions, apiKey = KEY): Promise<Run> {
  return runWith(repo, await startLoopbackServer({ ...serverOptions, apiKey: KEY }), { apiKey });
}

async function runWith(repo: TempRepo, server: LoopbackServer, o: { apiKey?: string; resume?: string } = {}): Promise<Run> {
  const apiKey = o.apiKey ?? KEY;
  const events: SwarmEvent[] = [];
  const providerFor = (config: ResolvedConfig) =>
    createOpenAIProvider({ baseURL: config.provider.baseURL, apiKey, apiKeyEnv: "MOONSHOT_API_KEY", supportsThinking: false });
  const run: Run = { events, server };
  try {
    run.summary = await runSwarm({
      repo: repo.dir,
      configPath,
      overrides: { instruction: "Convert callbacks to async/await", baseURL: server.url },
      needsInstruction: true,
      providerFor,
      subscribers: [(e) => events.push(e)],
      drain: new AbortController().signal,
      abort: new AbortController().signal,
      random: mulberry32(7),
      ...(o.resume ? { resume: o.resume } : {}),
    });
  } catch (error) {
    run.error = error;
  }
  const finished = events.find((e) => e.type === "run.finished");
  if (finished?.type === "run.finished") {
    run.finished = finished.summary;
    run.report = JSON.parse(await readFile(finished.summary.reportJson, "utf8")) as Report;
  }
  return run;
}

type StepFinished = Extract<SwarmEvent, { type: "step.finished" }>;

/** What the client made of one logged request: a step's attempt number is the server's nth for its (role, file). */
function clientView(run: Run, r: LoopbackServer["requests"][number]): StepFinished | undefined {
  return run.events.find((e): e is StepFinished => e.type === "step.finished" && e.taskId === `${r.role}:${r.file}` && e.attempt === r.nth);
}

const fatalRules: FaultRule[] = [
  { match: { role: "refactor", file: "src/util/strings.ts" }, fault: { kind: "status", status: 400, message: "strings.ts: refused on purpose" } },
  { match: { role: "test", file: "src/duration.ts" }, fault: { kind: "status", status: 404, message: "model kimi-x not found" } },
  { match: { role: "doc", file: "src/cache.ts" }, fault: { kind: "status", status: 422, message: "unprocessable: messages[2]" } },
];

describe("a run under random 429s, 5xx, hangs and malformed answers", () => {
  let repo: TempRepo;
  let run: Run;
  beforeAll(async () => {
    repo = await gitRepo("ts-lib");
    run = await runAgainst(repo, {
      faults: fatalRules,
      random: { seed: 3, keyed: true, rate429: 0.2, retryAfterMs: RETRY_AFTER_MS, rate5xx: 0.1, rateHang: 0.05, rateMalformed: 0.05 },
    });
  }, 60_000);
  afterAll(async () => {
    await run?.server.close();
    await repo?.cleanup();
  });

  it("injected every kind of fault", () => {
    expect(run.error).toBeUndefined();
    const faults = run.server.requests.map((r) => (r.fault?.kind === "status" ? String(r.fault.status) : (r.fault?.kind ?? "none")));
    const count = (k: string) => faults.filter((f) => f === k).length;
    for (const k of ["429", "500", "hang", "malformed", "400", "404", "422"]) expect(count(k), k).toBeGreaterThan(0);
    expect(count("none")).toBeGreaterThan(run.server.requests.length / 2);
  });

  it("decides every planned task: succeeded, or failed with a recorded reason; none lost, none not-run", () => {
    const { report } = run;
    expect(report!.stoppedBy).toBe("completed");
    expect(report!.tasks).toHaveLength(report!.counts.total);
    expect(report!.counts.notRun).toBe(0);
    for (const t of report!.tasks) {
      expect(["succeeded", "failed"], t.id).toContain(t.status);
      if (t.status === "failed") expect(t.error?.message, t.id).toBeTruthy();
    }
    const started = run.events.find((e) => e.type === "run.started");
    expect(started?.type === "run.started" && started.tasks).toBe(report!.tasks.length);
    expect(report!.counts.succeeded).toBeGreaterThan(report!.counts.total * 0.8);
  });

  it("never tries one step more than retry.attempts times", () => {
    const perTarget = new Map<string, number>();
    for (const r of run.server.requests) perTarget.set(`${r.role}|${r.file}`, (perTarget.get(`${r.role}|${r.file}`) ?? 0) + 1);
    expect(Math.max(...perTarget.values())).toBeLessThanOrEqual(ATTEMPTS);
    for (const t of run.report!.tasks) expect(t.attempts, t.id).toBeLessThanOrEqual(ATTEMPTS);
    // Some task did use every try, so the bound was actually reached.
    expect(Math.max(...perTarget.values())).toBe(ATTEMPTS);
  });

  it("aborts every hung request from the client side", () => {
    const hung = run.server.requests.filter((r) => r.fault?.kind === "hang");
    expect(hung.length).toBeGreaterThan(0);
    for (const r of hung) {
      expect(r.isAborted, `request ${r.seq}`).toBe(true);
      expect(clientView(run, r)?.error?.code, `request ${r.seq}`).toBe("timeout");
    }
  });

  it("sees each request the server logged exactly once, as the server answered it", () => {
    const finished = run.events.filter((e) => e.type === "step.finished");
    expect(finished).toHaveLength(run.server.requests.length);
    for (const r of run.server.requests) {
      const step = clientView(run, r);
      expect(step, `request ${r.seq}`).toBeDefined();
      if (step!.ok) expect([r.status, r.fault]).toEqual([200, undefined]);
      // A timer can beat an answer already in the socket on a loaded machine; that request was a timeout to us.
      if (step!.error?.code === "timeout") continue;
      if (r.status === 429) expect(step!.error?.code).toBe("rate-limited");
      if (r.status === 500) expect(step!.error?.code).toBe("server-error");
      if (r.fault?.kind === "malformed") expect(step!.error?.code).toBe("no-code-block");
    }
  });

  it("waits at least Retry-After before retrying a 429", () => {
    const retries = run.events.filter((e) => e.type === "step.retry" && e.status === 429);
    expect(retries.length).toBeGreaterThan(0);
    for (const e of retries) expect(e.type === "step.retry" && e.delayMs).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    // And on the wire: the next request of the same step arrived no earlier than that.
    for (const [i, r] of run.server.requests.entries()) {
      if (r.status !== 429 || clientView(run, r)?.error?.code !== "rate-limited") continue;
      const next = run.server.requests.slice(i + 1).find((n) => n.role === r.role && n.file === r.file);
      if (next) expect(next.arrivedAt - r.finishedAt!).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 2);
    }
  });

  it("fails a task at once on 400/404/422 with the server's message", () => {
    const byId = new Map(run.report!.tasks.map((t) => [t.id, t]));
    for (const [role, file] of [["refactor", "src/util/strings.ts"], ["test", "src/duration.ts"], ["doc", "src/cache.ts"]]) {
      const sent = run.server.requests.filter((r) => r.role === role && r.file === file);
      // Exactly one 4xx, and it was the last request of the task: no retry after it.
      const received4xx = sent.filter((r) => r.status >= 400 && r.status < 500 && clientView(run, r)?.error?.code !== "timeout");
      expect(received4xx.map((r) => r.nth), file).toEqual([sent.length]);
      // Only a client-side timeout (a loaded machine) can come before it.
      expect(sent.slice(0, -1).every((r) => clientView(run, r)?.error?.code === "timeout"), file).toBe(true);
      expect(byId.get(`${role}:${file}`)!.attempts).toBe(sent.length);
    }
    expect(byId.get("refactor:src/util/strings.ts")).toMatchObject({ status: "failed", error: { code: "bad-request", message: "HTTP 400: strings.ts: refused on purpose" } });
    expect(byId.get("test:src/duration.ts")).toMatchObject({ status: "failed", error: { code: "bad-request", message: "HTTP 404: model kimi-x not found" } });
    expect(byId.get("doc:src/cache.ts")).toMatchObject({ status: "failed", error: { code: "bad-request", message: "HTTP 422: unprocessable: messages[2]" } });
    expect(byId.get("test:src/util/strings.ts")).toMatchObject({ status: "failed", error: { code: "dependency-failed" } });
  });

  it("reports counts and tokens equal to what the server saw and billed", () => {
    const stats = run.server.stats();
    const { report } = run;
    // On a loaded machine a timer can beat an answer already in the socket; such a request is billed by
    // the server but was a timeout for the client, and is retried. It is left out of both sides, by request.
    const received = run.server.requests.filter((r) => clientView(run, r)?.error?.code !== "timeout");
    const billed = {
      input: received.reduce((n, r) => n + (r.usage?.prompt_tokens ?? 0), 0),
      cachedInput: received.reduce((n, r) => n + (r.usage?.cached_tokens ?? 0), 0),
      output: received.reduce((n, r) => n + (r.usage?.completion_tokens ?? 0), 0),
    };
    expect(report!.tokens).toEqual(billed);
    if (received.length === stats.requests) expect(billed).toEqual({ input: stats.promptTokens, cachedInput: stats.cachedTokens, output: stats.completionTokens });
    expect(report!.tasks.reduce((n, t) => n + t.attempts, 0)).toBe(stats.requests);
    expect(report!.metrics.rateLimited).toBe(received.filter((r) => r.status === 429).length);
    const accepted = run.server.requests.filter((r) => clientView(run, r)?.ok === true);
    expect(report!.counts.succeeded).toBe(accepted.length);
    expect(run.summary!.exitCode).toBe(1);
    // The same results under a tolerance equal to their failed share pass.
    const results = new Map(report!.tasks.map((t) => [t.id, { id: t.id, status: t.status } as TaskResult]));
    expect(exitCodeFor("completed", results, report!.counts.failed / report!.counts.total)).toBe(0);
  });

  it("says in report.md which outputs are missing and why", async () => {
    const md = await readFile(run.finished!.reportMd, "utf8");
    expect(md).toContain("refactor:src/util/strings.ts".replace("refactor:", ""));
    expect(md).toContain("HTTP 400: strings.ts: refused on purpose");
    expect(md).toMatch(/dependency-failed|prerequisite/);
  });
});

describe("--max-failure-rate", () => {
  const resultsOf = (statuses: TaskResult["status"][]) =>
    new Map(statuses.map((status, i) => [`refactor:f${i}.ts`, { id: `refactor:f${i}.ts`, status } as TaskResult]));

  it("decides 0 vs 1 by the share of failed tasks", () => {
    const results = resultsOf(["succeeded", "succeeded", "succeeded", "failed"]);
    expect(exitCodeFor("completed", results, 0)).toBe(1);
    expect(exitCodeFor("completed", results, 0.2)).toBe(1);
    expect(exitCodeFor("completed", results, 0.25)).toBe(0);
    expect(exitCodeFor("completed", resultsOf(["succeeded"]), 0)).toBe(0);
  });

  it("never passes a partial run: tasks that did not run are not forgiven", () => {
    const results = resultsOf(["succeeded", "succeeded", "succeeded", "not-run"]);
    expect(exitCodeFor("interrupt", results, 1)).toBe(1);
    expect(exitCodeFor("budget", results, 0.5)).toBe(1);
    expect(exitCodeFor("auth", results, 1)).toBe(2);
  });
});

describe("a rejected API key", () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await gitRepo("ts-lib");
  });
  afterAll(() => repo.cleanup());

  it("at the start: one request in all (the preflight), then a one-line SwarmError naming the variable", async () => {
    const run = await runAgainst(repo, {}, "sk-wrong-key");
    await run.server.close();
    expect(run.error).toBeInstanceOf(SwarmError);
    const error = run.error as SwarmError;
    expect(error.code).toBe("SWARM_AUTH_REJECTED");
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^the API key in MOONSHOT_API_KEY was rejected \(HTTP 401/);
    expect(error.message).not.toContain("\n");
    expect(error.message).not.toContain("sk-wrong-key");
    expect(run.server.stats().modelRequests + run.server.requests.length).toBe(1);
    expect(run.events.filter((e) => e.type === "task.started")).toHaveLength(0);
  });

  it("mid-run (403 once the refactors are done): stops the run, cancels what is in flight, writes branch and report for what finished; a resume finishes it", async () => {
    let isRevoked = true;
    const run = await runAgainst(repo, {
      latencyMs: 5,
      // Refactors pass, so there is something to put on the branch; their tests and docs then meet a revoked key.
      faults: [{ match: { when: (req) => isRevoked && req.role !== "refactor" }, fault: { kind: "status", status: 403, message: "key revoked" } }],
    });
    onTestFinished(() => run.server.close());
    expect(run.error).toBeInstanceOf(SwarmError);
    const error = run.error as SwarmError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe("the API key in MOONSHOT_API_KEY was rejected (HTTP 403: key revoked)");
    const { report } = run;
    expect(report!.stoppedBy).toBe("auth");
    // No retries and no new tasks after the first 403: at most the requests in flight at that moment follow it.
    const rejected = run.server.requests.filter((r) => r.status === 403).length;
    expect(rejected).toBeGreaterThan(0);
    expect(rejected).toBeLessThanOrEqual(16);
    expect(report!.counts.failed).toBe(0);
    // Refactors were answered; each is a succeeded task unless a load-induced timeout left it waiting to retry.
    const accepted = run.events.filter((e) => e.type === "step.finished" && e.ok).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(13);
    expect(report!.counts.succeeded).toBe(accepted);
    expect(report!.counts.notRun).toBe(report!.counts.total - accepted);
    for (const t of report!.tasks.filter((t) => t.status === "not-run")) expect(t.error?.message, t.id).toBeTruthy();
    expect(report!.branch).not.toBeNull();
    const onBranch = (await repo.git("diff", "--name-only", `main..${report!.branch}`)).split("\n").filter(Boolean);
    expect(onBranch.length).toBe(report!.tasks.filter((t) => t.status === "succeeded" && t.changed).length);
    expect(run.finished!.exitCode).toBe(2);
    const md = await readFile(run.finished!.reportMd, "utf8");
    expect(md).toMatch(/rejected the API key/);
    expect(error.hint).toContain(`swarm resume ${report!.runId}`);

    // The key works again: the resume sends only what was not answered, and completes.
    isRevoked = false;
    const answeredBefore = run.server.requests.filter((r) => r.status === 200).length;
    const resumed = await runWith(repo, run.server, { resume: report!.runId });
    expect(resumed.error).toBeUndefined();
    expect(resumed.summary!.stoppedBy).toBe("completed");
    expect(resumed.summary!.exitCode).toBe(0);
    expect(resumed.report!.counts.succeeded).toBe(report!.counts.total);
    const answered = run.server.requests.filter((r) => r.status === 200);
    const answeredAgain = answered.slice(answeredBefore);
    expect(answeredAgain.length).toBe(report!.counts.total - accepted);
    // What the first process received and journaled is never asked again. (A 200 the server sent while the
    // stop was cancelling that request never reached the client, so asking again is right.)
    const received = new Set(run.events.filter((e): e is StepFinished => e.type === "step.finished" && e.ok).map((e) => e.taskId));
    for (const r of answeredAgain) expect(received.has(`${r.role}:${r.file}`), `${r.role}:${r.file}`).toBe(false);
    expect(new Set(answeredAgain.map((r) => `${r.role}|${r.file}`)).size).toBe(answeredAgain.length);
  });
});
