import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Report } from "../../src/report/types.js";
import { gitRepo, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer, type RequestLog } from "../support/loopback-server.js";
import { cliEnv, FAKE_KEY, runCli, spawnCli, type CliResult } from "../support/run-cli.js";

// Issue 3: a run killed at any point and resumed ends with the branch an uninterrupted run writes,
// and no request whose answer was journaled is ever sent again. The binary runs dist/: `npm run build` first.
//
// Kill points are made deterministic with the server's beforeAnswer gate: it lets exactly `n` answers
// through and holds every later request, so the journal stops at exactly n lines and the test kills
// the child once it holds them. No sleeps race the child.

const INSTRUCTION = "Convert callbacks to async/await";

/** Lets `n` answers through, then holds requests until released. */
function createGate() {
  let limit: number | null = null;
  let passed = 0;
  let held: (() => void)[] = [];
  let heldWaiters: { count: number; resolve: () => void }[] = [];
  return {
    holdAfter(n: number | null) {
      limit = n;
      passed = 0;
    },
    get held() {
      return held.length;
    },
    waitForHeld(count: number): Promise<void> {
      if (held.length >= count) return Promise.resolve();
      return new Promise((resolve) => heldWaiters.push({ count, resolve }));
    },
    /** Opens the gate; held requests go on (or find their connection gone). */
    release() {
      limit = null;
      const waiting = held;
      held = [];
      heldWaiters = [];
      for (const go of waiting) go();
    },
    beforeAnswer(): Promise<void> | void {
      if (limit === null || passed < limit) {
        passed++;
        return;
      }
      return new Promise<void>((resolve) => {
        held.push(resolve);
        const ready = heldWaiters.filter((w) => held.length >= w.count);
        heldWaiters = heldWaiters.filter((w) => held.length < w.count);
        for (const w of ready) w.resolve();
      });
    },
  };
}

const gate = createGate();
let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer({ latencyMs: 3, beforeAnswer: () => gate.beforeAnswer() });
});
afterAll(async () => {
  gate.release();
  await server.close();
});

const env = () => cliEnv();

/** spawnCli, and a child a failed test left behind is killed rather than left holding the server. */
function spawnTracked(args: string[]) {
  const spawned = spawnCli(args, { env: env() });
  onTestFinished(() => {
    if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill("SIGKILL");
  });
  return spawned;
}
const runArgs = (repo: TempRepo) => ["run", repo.dir, "-i", INSTRUCTION, "--base-url", server.url];

async function runDirOf(repo: TempRepo): Promise<{ runId: string; dir: string }> {
  const root = path.join(repo.dir, ".swarm", "runs");
  const ids = (await readdir(root).catch(() => [] as string[])).filter((n) => /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(n));
  if (ids.length !== 1) throw new Error(`expected one run in ${root}, found ${ids.length}`);
  return { runId: ids[0]!, dir: path.join(root, ids[0]!) };
}

async function journalLines(repo: TempRepo): Promise<number> {
  try {
    const { dir } = await runDirOf(repo);
    const text = await readFile(path.join(dir, "journal.jsonl"), "utf8");
    return text.split("\n").filter((l) => l.trim() !== "").length;
  } catch {
    return 0;
  }
}

/**
 * Polls a condition the child makes true; the outcome does not depend on how quickly it does. Fails at
 * once when the child exits first. No deadline of its own: on a loaded machine node's start alone can
 * take seconds, and the test timeout bounds the wait.
 */
async function until(condition: () => Promise<boolean>, what: string, child: ChildProcess): Promise<void> {
  while (!(await condition())) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child exited (${child.exitCode ?? child.signalCode}) before ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

const treeOf = async (repo: TempRepo, runId: string) => repo.git("rev-parse", `swarm/${runId}^{tree}`);
const readReport = async (repo: TempRepo) => JSON.parse(await readFile(path.join((await runDirOf(repo)).dir, "report.json"), "utf8")) as Report;
const contentKey = (r: RequestLog) => createHash("sha256").update(JSON.stringify(r.messages)).digest("hex");

/** Answers that were sent (and so journaled: the gate only kills after the journal holds them all). */
function assertNoAnswerRepeated(requests: RequestLog[], tasks: number) {
  const answered = requests.filter((r) => r.status === 200);
  expect(answered).toHaveLength(tasks);
  expect(new Set(answered.map(contentKey)).size).toBe(tasks);
  expect(new Set(answered.map((r) => `${r.role}|${r.file}`)).size).toBe(tasks);
  // Whatever the kill cut off was asked again exactly once, and answered then.
  for (const cut of requests.filter((r) => r.status !== 200)) {
    expect(cut.isAborted, `request ${cut.seq}`).toBe(true);
    expect(answered.filter((a) => contentKey(a) === contentKey(cut))).toHaveLength(1);
  }
}

let baselineTree: string;
let totalTasks: number;

// The reference: the same fixture run once without interruption.
beforeAll(async () => {
  const repo = await gitRepo("ts-lib");
  try {
    server.reset();
    gate.holdAfter(null);
    const result = await runCli(runArgs(repo), { env: env() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const { runId } = await runDirOf(repo);
    baselineTree = await treeOf(repo, runId);
    totalTasks = (await readReport(repo)).counts.total;
    expect(server.requests).toHaveLength(totalTasks);
  } finally {
    await repo.cleanup();
  }
}, 120_000);

describe("swarm run killed and resumed", () => {
  // One run killed three times: at ~10%, ~50% and ~90% of the plan's steps, each resume picking up the last
  // process's journal. Fewer processes than three separate runs, and it also proves a resume can be resumed.
  it("SIGKILL at ~10%, ~50% and ~90% of the journal, resumed each time, gives the same tree with no answer asked twice", async () => {
    const repo = await gitRepo("ts-lib");
    server.reset();
    let runId: string | undefined;
    let journaled = 0;
    for (const share of [0.1, 0.5, 0.9]) {
      const killAt = Math.max(journaled + 1, Math.round(totalTasks * share));
      gate.holdAfter(killAt - journaled);
      const { child, done } = spawnTracked(runId ? ["resume", runId, repo.dir] : runArgs(repo));
      await until(async () => (await journalLines(repo)) >= killAt, `${killAt} journal lines`, child);
      await gate.waitForHeld(1);
      child.kill("SIGKILL");
      const killed = await done;
      expect(killed.signal).toBe("SIGKILL");
      expect(await journalLines(repo)).toBe(killAt);
      if (runId) expect(killed.stdout).toContain(`resuming: ${journaled} of ${totalTasks} tasks already done`);
      gate.release();
      runId = (await runDirOf(repo)).runId;
      journaled = killAt;
    }

    const resumed = await runCli(["resume", runId!, repo.dir], { env: env() });
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming: ${journaled} of ${totalTasks} tasks already done`);
    const report = await readReport(repo);
    expect(report.stoppedBy).toBe("completed");
    expect(report.counts.succeeded).toBe(totalTasks);
    expect(await treeOf(repo, runId!)).toBe(baselineTree);
    assertNoAnswerRepeated(server.requests, totalTasks);
    expect(await journalLines(repo)).toBe(totalTasks);
  }, 240_000);
});

describe("swarm run interrupted with SIGINT", () => {
  it("drains (in-flight requests finish), says how to resume, exits 1; the resume completes the same tree", async () => {
    const repo = await gitRepo("ts-lib");
    const passAt = Math.round(totalTasks / 2);
    server.reset();
    gate.holdAfter(passAt);
    // A low limit leaves tasks queued behind the held ones, so the drain has something not to start.
    const { child, done } = spawnTracked([...runArgs(repo), "--concurrency", "4"]);
    let stdout = "";
    child.stdout!.on("data", (d: string) => (stdout += d));
    await until(async () => (await journalLines(repo)) >= passAt, `${passAt} journal lines`, child);
    // Every slot of the 4 is taken by a held request, so no other can start before the signal.
    await gate.waitForHeld(4);
    const inFlight = gate.held;
    expect(inFlight).toBe(4);
    child.kill("SIGINT");
    await until(async () => stdout.includes("draining (interrupt)"), "the drain notice", child);
    // What was in flight when the signal came is answered now, and must count.
    gate.release();
    const interrupted: CliResult = await done;
    expect(interrupted.code).toBe(1);
    const { runId } = await runDirOf(repo);
    expect(interrupted.stdout).toContain(`resume: swarm resume ${runId} ${repo.dir}`);
    const report = await readReport(repo);
    expect(report.stoppedBy).toBe("interrupt");
    expect(report.resumeHint).toBe(`swarm resume ${runId} ${repo.dir}`);
    expect(server.requests.filter((r) => r.isAborted)).toHaveLength(0);
    expect(await journalLines(repo)).toBe(passAt + inFlight);
    expect(report.counts.succeeded).toBe(await journalLines(repo));
    const notRun = report.tasks.filter((t) => t.status === "not-run");
    expect(notRun.length).toBe(totalTasks - report.counts.succeeded);
    for (const t of notRun) expect(t.error?.code, t.id).toBe("interrupted");
    const md = await readFile(path.join((await runDirOf(repo)).dir, "report.md"), "utf8");
    expect(md).toContain(`swarm resume ${runId}`);

    const resumed = await runCli(["resume", runId, repo.dir], { env: env() });
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(await treeOf(repo, runId)).toBe(baselineTree);
    assertNoAnswerRepeated(server.requests, totalTasks);
  }, 180_000);
});

describe("a rejected key through the CLI", () => {
  it("exits 2 after exactly one request (the preflight), with one line naming the variable and no stack", async () => {
    const strict = await startLoopbackServer({ apiKey: "sk-the-right-key" });
    try {
      const repo = await gitRepo("ts-lib");
      const before = await repo.snapshot();
      const result = await runCli(["run", repo.dir, "-i", INSTRUCTION, "--base-url", strict.url], { env: env() });
      expect(result.code).toBe(2);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines[0]).toBe("swarm: the API key in MOONSHOT_API_KEY was rejected (HTTP 401: Incorrect API key provided)");
      expect(lines.slice(1).every((l) => l.startsWith("hint: "))).toBe(true);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stdout + result.stderr).not.toContain(FAKE_KEY);
      expect(strict.stats().modelRequests).toBe(1);
      expect(strict.requests).toHaveLength(0);
      expect((await repo.snapshot()).refs).toBe(before.refs);
    } finally {
      await strict.close();
    }
  });
});
