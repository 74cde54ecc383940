// Child process: the guide's naive pattern, as a baseline on the same workload and server.
// - every task is launched at once (one promise each) behind a fixed semaphore;
// - a task waits for its prerequisites by polling every 100 ms (before taking a slot, which is the
//   kinder reading: polling inside a slot would starve the refactors);
// - a failed request is retried after 1 s, 2 s, 4 s, holding its slot while it sleeps;
// - the openai SDK is called directly (its own retries off, so the schedule above is the only one).
// Messages are the same bytes the engine sends, so the server draws the same latency for each request.
// Usage: node --import tsx bench/naive-swarm.ts '<json input>' <result.json>
import { writeFile } from "node:fs/promises";
import OpenAI from "openai";
import type { TaskId } from "../src/core/types.js";
import { prepareRun } from "../src/prepare/index.js";
import { buildMessages } from "../src/prompt/build-messages.js";
import { BENCH_KEY, selfUsage } from "./common.js";

export interface NaiveInput {
  repo: string;
  baseURL: string;
  concurrency: number;
}

export interface NaiveOutput {
  tasks: { id: string; role: string; file: string; dependsOn: string[] }[];
  requests: number;
  succeeded: number;
  /** Tasks that never succeeded: retries exhausted, or a prerequisite lost. */
  lost: number;
  executeWallMs: number;
  executeCpuMs: number;
  maxRssMB: number;
}

const RETRY_DELAYS_MS = [1000, 2000, 4000];
const POLL_MS = 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Semaphore {
  #free: number;
  #waiters: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}

const [inputJson, outFile] = process.argv.slice(2);
const input = JSON.parse(inputJson!) as NaiveInput;
const prepared = await prepareRun({ repo: input.repo, overrides: { instruction: "Convert callbacks to async/await" }, needsInstruction: true });
const { plan, files, config } = prepared;
const client = new OpenAI({ baseURL: input.baseURL, apiKey: BENCH_KEY, maxRetries: 0 });
const semaphore = new Semaphore(input.concurrency);
const done = new Map<TaskId, { ok: boolean; content?: string }>();
let requests = 0;

async function runTask(task: (typeof plan.tasks)[number]): Promise<void> {
  while (!task.dependsOn.every((d) => done.has(d))) await sleep(POLL_MS);
  if (!task.dependsOn.every((d) => done.get(d)!.ok)) {
    done.set(task.id, { ok: false });
    return;
  }
  const refactor = task.role === "refactor" ? undefined : done.get(`refactor:${task.file}`);
  const content = refactor?.content ?? files.get(task.file)!.content;
  const messages = buildMessages({ task, instruction: prepared.instruction, conventions: config.conventions, source: { path: task.file, content } });
  await semaphore.acquire();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        requests++;
        const res = await client.chat.completions.create({ model: config.provider.model, messages });
        const text = res.choices[0]?.message?.content ?? "";
        const block = /```[^\n]*\n([\s\S]*?)```/.exec(text);
        done.set(task.id, { ok: true, content: block?.[1] ?? text });
        return;
      } catch {
        if (attempt >= RETRY_DELAYS_MS.length) {
          done.set(task.id, { ok: false });
          return;
        }
        await sleep(RETRY_DELAYS_MS[attempt]!);
      }
    }
  } finally {
    semaphore.release();
  }
}

const before = selfUsage();
const t0 = performance.now();
await Promise.all(plan.tasks.map((t) => runTask(t)));
const executeWallMs = performance.now() - t0;
const after = selfUsage();
const succeeded = [...done.values()].filter((d) => d.ok).length;
const out: NaiveOutput = {
  tasks: plan.tasks.map((t) => ({ id: t.id, role: t.role, file: t.file, dependsOn: t.dependsOn })),
  requests,
  succeeded,
  lost: plan.tasks.length - succeeded,
  executeWallMs,
  executeCpuMs: after.cpuMs - before.cpuMs,
  maxRssMB: after.maxRssMB,
};
await writeFile(outFile!, JSON.stringify(out));
