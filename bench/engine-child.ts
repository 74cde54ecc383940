// Child process: prepareRun + executePlan in-process against a loopback server that lives in the
// parent, so this process's CPU is the swarm's own. Records CPU at phase boundaries.
// Usage: node --import tsx bench/engine-child.ts '<json input>' <result.json>
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import type { Task, TaskId, TaskResult } from "../src/core/types.js";
import { EventBus } from "../src/events/bus.js";
import { modelFor } from "../src/estimate/routing.js";
import { executePlan } from "../src/execute/engine.js";
import { Journal } from "../src/run/journal.js";
import { createOpenAIProvider } from "../src/llm/openai-provider.js";
import { prepareRun } from "../src/prepare/index.js";
import { buildMessages } from "../src/prompt/build-messages.js";
import { BENCH_KEY, selfUsage } from "./common.js";

export interface EngineChildInput {
  repo: string;
  baseURL: string;
  concurrency: number;
  /** false pins the limit (EngineSettings.shouldAdaptLimit). @default true */
  adaptive?: boolean;
  /** Overrides of config `retry` (attempts, baseMs, maxMs). */
  retry?: { attempts?: number; baseMs?: number; maxMs?: number };
  /** Experiment: replace globalThis.fetch by bench/node-http-fetch.ts before the SDK client is built. */
  useNodeHttpFetch?: boolean;
  /** Write a .cpuprofile of the execute phase only (node:inspector) to this path. */
  profileOut?: string;
}

export interface EngineChildOutput {
  tasks: { id: string; role: string; file: string; dependsOn: string[] }[];
  steps: number;
  succeeded: number;
  failed: number;
  notRun: number;
  limitChanges: number;
  minLimit: number;
  loadCpuMs: number;
  prepareCpuMs: number;
  prepareWallMs: number;
  executeCpuMs: number;
  executeWallMs: number;
  maxRssMB: number;
}

const [inputJson, outFile] = process.argv.slice(2);
const input = JSON.parse(inputJson!) as EngineChildInput;
const load = selfUsage();

const tmp = await mkdtemp(path.join(os.tmpdir(), "swarm-bench-engine-"));
try {
  const p0 = performance.now();
  const prepared = await prepareRun({
    repo: input.repo,
    overrides: { instruction: "Convert callbacks to async/await", baseURL: input.baseURL, concurrency: input.concurrency },
    needsInstruction: true,
  });
  const prepareWallMs = performance.now() - p0;
  const afterPrepare = selfUsage();
  const { config, plan, files } = prepared;
  if (input.useNodeHttpFetch) globalThis.fetch = (await import("./node-http-fetch.js")).nodeHttpFetch;
  const provider = createOpenAIProvider({ baseURL: input.baseURL, apiKey: BENCH_KEY, apiKeyEnv: "BENCH_KEY", supportsThinking: false });
  const bus = new EventBus("bench");
  let limitChanges = 0;
  let minLimit = input.concurrency;
  bus.subscribe((e) => {
    if (e.type !== "limit.changed") return;
    limitChanges++;
    minLimit = Math.min(minLimit, e.limit);
  });
  const journal = await Journal.open(path.join(tmp, "journal.jsonl"));
  const requestFor = (task: Task, results: ReadonlyMap<TaskId, TaskResult>) => {
    const route = modelFor(config, task.role, task.bytes);
    const refactor = task.role === "refactor" ? undefined : results.get(`refactor:${task.file}`);
    const content = refactor?.status === "succeeded" && refactor.content !== undefined ? refactor.content : files.get(task.file)!.content;
    const messages = buildMessages({ task, instruction: prepared.instruction, conventions: config.conventions, source: { path: task.file, content } });
    return { request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens }, estimatedUSD: 0 };
  };
  const session = input.profileOut ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
  }
  const e0 = performance.now();
  const executed = await executePlan({
    plan,
    provider,
    bus,
    journal,
    prior: [],
    settings: {
      ...config,
      maxSteps: 1_000_000,
      retry: { ...config.retry, ...input.retry },
      shouldAdaptLimit: input.adaptive !== false,
    },
    requestFor,
    costUSD: (model, usage) => prepared.pricing.costUSD(model, usage),
    isChange: (task, content) => files.get(task.output)?.content !== content,
    drain: new AbortController().signal,
    abort: new AbortController().signal,
  });
  await journal.close();
  const executeWallMs = performance.now() - e0;
  const end = selfUsage();
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(input.profileOut!, JSON.stringify(profile));
    session.disconnect();
  }
  const statuses = [...executed.results.values()].map((r) => r.status);
  const out: EngineChildOutput = {
    tasks: plan.tasks.map((t) => ({ id: t.id, role: t.role, file: t.file, dependsOn: t.dependsOn })),
    steps: executed.steps.length,
    succeeded: statuses.filter((s) => s === "succeeded").length,
    failed: statuses.filter((s) => s === "failed").length,
    notRun: statuses.filter((s) => s === "not-run").length,
    limitChanges,
    minLimit,
    loadCpuMs: load.cpuMs,
    prepareCpuMs: afterPrepare.cpuMs - load.cpuMs,
    prepareWallMs,
    executeCpuMs: end.cpuMs - afterPrepare.cpuMs,
    executeWallMs,
    maxRssMB: end.maxRssMB,
  };
  await writeFile(outFile!, JSON.stringify(out));
} finally {
  await rm(tmp, { recursive: true, force: true });
}
