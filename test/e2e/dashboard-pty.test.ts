import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { FAKE_KEY, SWARM_BIN } from "../support/run-cli.js";

// The live dashboard in a real pseudo-terminal: `swarm run` inside a detached tmux session of fixed
// size, the screen read back with `capture-pane`. The loopback server holds every answer until the
// test has looked at the mid-run screen, so "mid-run" is a state, not a moment raced with a sleep;
// the end of the run is a `tmux wait-for` channel the pane's script signals after the CLI exits.

const TMUX = "/usr/bin/tmux";
const COLUMNS = 120;
const ROWS = 40;

function tmux(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // -f /dev/null: the host's ~/.tmux.conf must not change the size, shell or status line.
    execFile(TMUX, ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tmux ${args.join(" ")}: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** A gate the server's answers wait on; `open()` lets every held and later request through. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

interface PaneRun {
  socket: string;
  /** The visible screen now, without colours. */
  screen(): Promise<string>;
  /** Polls the screen until `predicate` holds (bounded: fails after `tries` looks). */
  waitForScreen(predicate: (screen: string) => boolean, tries?: number): Promise<string>;
  /** Resolves with the CLI's exit code once the pane's script has signalled that it exited. */
  exited(): Promise<number>;
  sendKeys(...keys: string[]): Promise<void>;
}

/**
 * Starts `swarm run` in its own tmux server (unique socket, so parallel tests and the user's own
 * tmux never meet). The pane gets a clean environment: no CI variables (the dashboard is off
 * under CI, and ink writes no live frames there), TERM=xterm-256color.
 */
async function startInPane(dir: string, args: string[]): Promise<PaneRun> {
  const socket = `swarm-e2e-${process.pid}-${randomBytes(4).toString("hex")}`;
  const exitFile = path.join(dir, "exit-code");
  const script = path.join(dir, "run.sh");
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? dir, TERM: "xterm-256color", LANG: "C.UTF-8", MOONSHOT_API_KEY: FAKE_KEY };
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(
    script,
    [
      "#!/bin/bash",
      // A command trap (not an ignore) keeps the script alive on Ctrl-C while the CLI still gets SIGINT.
      "trap ':' INT",
      `env -i ${Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(" ")} ${quote(process.execPath)} ${quote(SWARM_BIN)} ${args.map(quote).join(" ")}`,
      `echo $? > ${quote(exitFile)}`,
      `${TMUX} -L ${socket} wait-for -S swarm-exited`,
      // Keep the pane (and its last screen) until the test kills the server.
      "while true; do sleep 60; done",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  await tmux(socket, ["new-session", "-d", "-s", "swarm", "-x", String(COLUMNS), "-y", String(ROWS), script]);
  const screen = () => tmux(socket, ["capture-pane", "-p", "-t", "swarm"]);
  return {
    socket,
    screen,
    async waitForScreen(predicate, tries = 200) {
      let last = "";
      for (let i = 0; i < tries; i++) {
        last = await screen();
        if (predicate(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the screen never showed what the test waited for; last screen:\n${last}`);
    },
    async exited() {
      // wait-for remembers a signal sent before anyone waited, so this cannot miss the exit.
      await tmux(socket, ["wait-for", "swarm-exited"]);
      return Number((await readFile(exitFile, "utf8")).trim());
    },
    async sendKeys(...keys) {
      await tmux(socket, ["send-keys", "-t", "swarm", ...keys]);
    },
  };
}

let server: LoopbackServer;
let answers = gate();
beforeAll(async () => {
  server = await startLoopbackServer({
    latencyMs: 40,
    logMessages: false,
    beforeAnswer: () => answers.opened,
    faults: [{ match: { role: "refactor", file: "src/utils/ids.js" }, fault: { kind: "status", status: 400, message: "refused on purpose" } }],
  });
});
afterAll(() => server.close());

describe.skipIf(process.platform === "win32")("the dashboard in a real terminal (tmux)", () => {
  let repo: TempRepo;
  let dir: string;
  let pane: PaneRun | null = null;
  beforeAll(async () => {
    repo = await gitRepo("express-api");
  });
  afterAll(() => repo.cleanup());
  afterEach(async () => {
    if (pane) {
      await tmux(pane.socket, ["kill-server"]).catch(() => undefined);
      // kill-server leaves the socket file behind.
      const uid = process.getuid?.() ?? 0;
      await rm(path.join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${uid}`, pane.socket), { force: true });
    }
    pane = null;
  });

  it("shows progress, counts, cost, limit and agents mid-run, then leaves the summary on screen", async () => {
    server.reset();
    answers = gate();
    dir = tempDir("swarm-pty-");
    pane = await startInPane(dir, ["run", repo.dir, "-i", "Convert callbacks to async/await", "--base-url", server.url, "--concurrency", "16"]);

    // Sixteen requests held at the server: the run is mid-flight until the gate opens.
    await server.waitForRequests(16);
    const mid = await pane.waitForScreen((s) => /In flight \(16\)/.test(s));
    expect(mid).toMatch(/swarm run \d{8}-\d{6}-[0-9a-f]{4} · kimi-k2\.6 · refactor, test, doc · \d+ tasks, \d+ files/);
    expect(mid).toMatch(/\[░+\] 0\/\d+ 0% · 16 running · [\d.]+ m?s elapsed/);
    expect(mid).toMatch(/^ {2}refactor +0\/\d+ +0 ok · 16 running · \d+ waiting$/m);
    expect(mid).toMatch(/^Cost \$0\.00 of \$[\d.]+ estimated \(0%\)/m);
    expect(mid).toMatch(/^Concurrency 16\/16 · 429 ×0 · retries 0$/m);
    expect(mid).toMatch(/^ {2}refactor {2}src\/\S+ +\d[\d.]* m?s {2}attempt 1$/m);
    const midRows = mid.replace(/\n+$/, "").split("\n");
    expect(midRows.length).toBeLessThan(ROWS);
    for (const row of midRows) expect([...row].length).toBeLessThanOrEqual(COLUMNS);

    answers.open();
    const code = await pane.exited();
    expect(code).toBe(1);

    const end = await pane.screen();
    const report = JSON.parse(await readFile(path.join(repo.dir, ".swarm", "runs", await latestRun(repo), "report.json"), "utf8")) as {
      runId: string;
      branch: string;
    };
    expect(end).toMatch(new RegExp(`⚠ Run ${report.runId} finished with failures in .+: \\d+/\\d+ succeeded, \\d+ failed`));
    expect(end).toContain(`Branch   ${report.branch}`);
    // The report path is the one thing a user copies from here: never cut (it may wrap).
    const reportMd = path.join(repo.dir, ".swarm", "runs", report.runId, "report.md");
    expect(end.replace(/\n/g, "")).toContain(`Report   ${reportMd}`);
    expect(end).toMatch(/Roles +refactor \d+\/\d+ · test \d+\/\d+ · doc \d+\/\d+ succeeded \(97\.3%\)/);
    // Fields wrap under their own column on a narrow screen: join continuation rows back.
    expect(end.replace(/\n {11}/g, " ")).toMatch(/Wall +refactor .+ · test .+ · doc .+ \(p50\/p95\/max\)/);
    expect(end).toMatch(/✖ refactor src\/utils\/ids\.js — bad-request: HTTP 400: refused on purpose/);
    expect(end).not.toContain("In flight");
  });

  it("says it is draining after Ctrl-C, then ends on the interrupted summary with a resume hint", async () => {
    server.reset();
    answers = gate();
    dir = tempDir("swarm-pty-");
    pane = await startInPane(dir, ["run", repo.dir, "-i", "Convert callbacks to async/await", "--base-url", server.url, "--concurrency", "4", "--roles", "refactor"]);

    await server.waitForRequests(4);
    await pane.waitForScreen((s) => /In flight \(4\)/.test(s));
    await pane.sendKeys("C-c");
    const draining = await pane.waitForScreen((s) => s.includes("Draining"));
    expect(draining).toContain("Draining — waiting for 4 in-flight agents (Ctrl-C again to abort)");
    expect(draining).toContain("■ interrupted: starting no new agents, letting the ones in flight finish");

    answers.open();
    await pane.exited();
    const end = await pane.screen();
    expect(end).toMatch(/■ Run \S+ interrupted in .+: \d+\/\d+ succeeded, .*\d+ not run/);
    expect(end.replace(/\n/g, "")).toMatch(/Resume {3}swarm resume \S+/);
  });
});

async function latestRun(repo: TempRepo): Promise<string> {
  const runs = (await readdir(path.join(repo.dir, ".swarm", "runs"))).sort();
  return runs.at(-1)!;
}
