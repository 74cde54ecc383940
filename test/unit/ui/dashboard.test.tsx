import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard, fitLiveRows } from "../../../src/ui/Dashboard.js";
import { reduceAll, type DashboardState } from "../../../src/ui/state.js";
import { loadEventFixture, metricsOf, recorder, stripAnsi, summaryOf } from "../../support/events.js";
import type { SwarmEvent } from "../../../src/events/types.js";

afterEach(() => cleanup());

const COLUMNS = 100; // ink-testing-library's stdout is 100 columns wide

function frame(state: DashboardState, now: number, rows = 40, overrides: Partial<DashboardState> = {}): string {
  const { lastFrame } = render(<Dashboard {...state} {...overrides} now={now} rows={rows} columns={COLUMNS} />);
  return stripAnsi(lastFrame());
}

/** 90 tasks (30 per role); 30 settled, with failures, 429s and a lowered limit. */
function midRun() {
  const run = recorder();
  run.start(0, { tasks: 90, concurrency: 8, costUSD: 3.4, tasksByRole: { refactor: 30, test: 30, doc: 30 } });
  for (let i = 0; i < 30; i++) run.begin(i * 100, "refactor", `src/module-${i}.js`);
  for (let i = 0; i < 25; i++) run.finish(10_000 + i * 1000, "refactor", `src/module-${i}.js`, { costUSD: 0.02 });
  run.fail(35_000, "refactor", "src/module-25.js", "no-code-block", "the answer had no fenced code block", 3);
  run.fail(35_000, "test", "src/module-25.js", "dependency-failed", "refactor:src/module-25.js failed");
  run.fail(35_000, "doc", "src/module-25.js", "dependency-failed", "refactor:src/module-25.js failed");
  run.fail(36_000, "refactor", "src/module-26.js", "timeout", "no answer within 120 s", 3);
  run.begin(36_500, "test", "src/module-0.js");
  run.finish(38_000, "test", "src/module-0.js");
  run.retry(38_100, "refactor", "src/module-27.js", 1, "rate-limited", 4000);
  run.emit(38_100, { type: "limit.changed", limit: 4, max: 8, reason: "rate-limited" });
  run.retry(38_200, "refactor", "src/module-28.js", 1, "rate-limited", 4000);
  run.retry(38_300, "refactor", "src/module-29.js", 1, "rate-limited", 4000);
  run.nextAttempt(42_200, "refactor", "src/module-28.js", 2);
  return run;
}

const lines = (text: string) => text.split("\n");

describe("Dashboard", () => {
  it("shows the run before any task settles", () => {
    const run = recorder();
    run.start(0, { tasks: 90, concurrency: 80, costUSD: 3.4, tasksByRole: { refactor: 30, test: 30, doc: 30 } });
    expect(frame(reduceAll(run.events), 1500)).toMatchInlineSnapshot(`
      "swarm run 20250101-120000-abcd · kimi-k2.6 · refactor, test, doc · 90 tasks, 30 files (2 skipped)
      [░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░] 0/90 0% · 1.5 s elapsed
        refactor  0/30  0 ok · 30 waiting
        test      0/30  0 ok · 30 waiting
        doc       0/30  0 ok · 30 waiting
      Cost $0.00 of $3.40 estimated (0%) · tokens 0 in (0 cached) / 0 out · 0 requests
      Concurrency 80/80 · 429 ×0 · retries 0"
    `);
  });

  it("shows progress, cost, retries, the limit, agents slowest first and the latest failures mid-run", () => {
    const text = frame(reduceAll(midRun().events), 43_000);
    expect(text).toContain("30/90 33%");
    expect(text).toMatch(/refactor +27\/30 +25 ok · 2 failed · 3 running/);
    expect(text).toMatch(/test +2\/30 +1 ok · 1 failed · 28 waiting/);
    expect(text).toContain("Cost $0.51 of $3.40 estimated (15%)");
    expect(text).toContain("Concurrency 4/8 · 429 ×3 · retries 3 (rate-limited ×3)");
    expect(text).toContain("In flight (3)");
    const agents = lines(text).filter((l) => l.startsWith("  refactor  src/"));
    expect(agents.map((l) => l.match(/module-\d+/)?.[0])).toEqual(["module-27", "module-28", "module-29"]);
    expect(agents[0]).toMatch(/40\.3 s +attempt 1 · retry queued \(rate-limited\)/);
    expect(agents[1]).toMatch(/40\.2 s +attempt 2$/);
    expect(text).toContain("Failed (4: dependency-failed ×2, no-code-block ×1, timeout ×1)");
    expect(text).toContain("refactor src/module-25.js — no-code-block: the answer had no fenced code block");
    expect(text).toContain("refactor src/module-26.js — timeout: no answer within 120 s");
    expect(text).toMatch(/ETA \d/);
  });

  it("counts down a backoff in the agent's row", () => {
    const text = frame(reduceAll(midRun().events), 40_000);
    expect(text).toMatch(/module-29\.js +37\.1 s +attempt 1 · retry in 2\.3 s \(rate-limited\)/);
  });

  it.each([12, 16, 24, 40, 60])("fits 300 agents and the failures into a %i-row terminal", (rows) => {
    const run = recorder();
    run.start(0, { tasks: 900, concurrency: 300, costUSD: 50, tasksByRole: { refactor: 300, test: 300, doc: 300 } });
    for (let i = 0; i < 300; i++) run.begin(i, "refactor", `src/deeply/nested/folder/module-${i}.ts`);
    for (let i = 0; i < 8; i++) run.fail(1000 + i, "refactor", `src/deeply/nested/folder/module-${i}.ts`, "timeout", `slow ${i}`);
    const state = reduceAll(run.events);
    // The live panel alone (no scrollback lines): ink clears the whole screen when it is taller than the terminal.
    const text = frame(state, 5000, rows, { log: [] });
    expect(lines(text).length).toBeLessThanOrEqual(rows - 1);
    expect(text).toContain("In flight (292)");
    const shown = lines(text).filter((l) => /attempt 1$/.test(l)).length;
    expect(text).toContain(`+${292 - shown} more`);
    // Agents come first; failures get a share once there is room (their count is in the role lines anyway).
    if (rows >= 16) expect(text).toContain("Failed (8: timeout ×8)");
    expect(text).toContain("8 failed");
    expect(lines(text).every((l) => [...l].length <= COLUMNS)).toBe(true);
  });

  it("says it is draining and how many agents it waits for", () => {
    const run = midRun();
    run.emit(43_000, { type: "run.draining", reason: "interrupt" });
    const text = frame(reduceAll(run.events), 44_000);
    expect(text).toContain("Draining — waiting for 1 in-flight agent (Ctrl-C again to abort)");
    expect(text).toContain("In flight (1)");
    expect(text).not.toContain("ETA");
    expect(text).toContain("interrupted: starting no new agents");
  });

  it("says when a budget or an abort stops the run", () => {
    const budget = midRun();
    budget.emit(43_000, { type: "budget.exhausted", budget: "cost", used: 0.51, limit: 0.5 });
    budget.emit(43_000, { type: "run.draining", reason: "budget" });
    expect(frame(reduceAll(budget.events), 44_000)).toContain("The cost budget is used up — starting nothing new, waiting for 1 in-flight agent");

    const abort = midRun();
    abort.emit(43_000, { type: "run.draining", reason: "interrupt" });
    abort.emit(43_500, { type: "run.aborting", reason: "interrupt" });
    expect(frame(reduceAll(abort.events), 44_000)).toContain("Aborting — cancelling 1 in-flight agent");
  });

  it("warns before a budget runs out", () => {
    const run = midRun();
    run.emit(43_000, { type: "budget.warning", budget: "cost", used: 4.1, limit: 5 });
    expect(frame(reduceAll(run.events), 43_000)).toContain("⚠ Nearly out of budget: cost budget $4.10 of $5.00");
  });

  it("leaves a compact summary when the run finishes", () => {
    const run = midRun();
    run.emit(252_000, { type: "run.finished", summary: summaryOf() });
    const text = frame(reduceAll(run.events), 252_000);
    expect(text).toContain("⚠ Run 20250101-120000-abcd finished with failures in 4 m 12 s: 88/90 succeeded, 2 failed");
    expect(text).toMatch(/Branch +swarm\/20250101-120000-abcd/);
    expect(text).toMatch(/Report +\.swarm\/runs\/20250101-120000-abcd\/report\.md/);
    expect(text).toContain("$3.12 vs $3.40 estimated (-8%)");
    expect(text).toMatch(/Roles +refactor 29\/30 · test 29\/30 · doc 30\/30 succeeded/);
    expect(text).toContain("✖ refactor src/a.js — no-code-block: the answer had no fenced code block");
    expect(text).not.toContain("In flight");
    expect(text).not.toContain("Draining");
  });

  it("shows the swarm metrics in the final summary, flagging low completion and outliers", () => {
    const run = recorder();
    run.start(0, { tasks: 90 });
    run.emit(252_000, { type: "run.finished", summary: summaryOf({ metrics: metricsOf() }) });
    const text = frame(reduceAll(run.events), 252_000);
    expect(text).toMatch(/Roles +refactor 29\/30 · test 29\/30 · doc 30\/30 succeeded \(88\.9%, below the 95% target\)/);
    expect(text).toMatch(/Retries +5 \(rate-limited ×4, timeout ×1\) · 429 ×4/);
    expect(text).toMatch(/Wall +refactor 1\.2 s\/3\.4 s\/41\.0 s · test 900 ms\/2\.1 s\/3\.0 s \(p50\/p95\/max\)/);
    expect(text).toMatch(/Tokens +refactor 1\.5k\/2k\/9k · test 1\.1k\/1\.4k\/1\.5k/);
    expect(text).toMatch(/Outliers +1 slow \(src\/big\.js 41\.0 s, role p50 1\.2 s\) · 2 token-heavy \(src\/big\.js 6\.0× role median\)/);
  });

  it("never cuts the branch or the report path, however narrow the terminal", () => {
    const reportMd = "/tmp/swarm-synthetic-6uCKWs/a/very/deep/checkout/.swarm/runs/20250101-120000-abcd/report.md";
    const run = recorder();
    run.start(0, { tasks: 90 });
    run.emit(252_000, { type: "run.finished", summary: summaryOf({ reportMd, metrics: metricsOf() }) });
    const state = reduceAll(run.events);
    const { lastFrame } = render(<Dashboard {...state} now={252_000} rows={24} columns={60} />);
    const text = stripAnsi(lastFrame());
    const rows = lines(text);
    expect(rows.length).toBeLessThanOrEqual(23);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(60);
    // Wrapped, the path is still all there, in order.
    expect(rows.join("").replace(/ +/g, "")).toContain(reportMd);
    expect(text).toContain("swarm/20250101-120000-abcd");
  });

  it("gives a path that fits the terminal but not beside its label a line of its own", () => {
    const reportMd = "/tmp/swarm-synthetic-6uCKWs/.swarm/runs/20250101-120000-abcd/report.md"; // 71 characters
    const run = recorder();
    run.start(0, { tasks: 90 });
    run.emit(252_000, { type: "run.finished", summary: summaryOf({ reportMd }) });
    const state = reduceAll(run.events);
    const { lastFrame } = render(<Dashboard {...state} now={252_000} rows={24} columns={80} />);
    const rows = lines(stripAnsi(lastFrame()));
    const at = rows.indexOf("  Report");
    expect(at).toBeGreaterThan(0);
    expect(rows[at + 1]).toBe(reportMd);
  });

  it("lists causes before cascaded failures and points at the report for the rest", () => {
    const failed = Array.from({ length: 40 }, (_, i) => ({
      taskId: `${i < 20 ? "test" : "refactor"}:src/f${i}.js`,
      file: `src/f${i}.js`,
      output: `src/f${i}.js`,
      error: i < 20 ? { code: "dependency-failed" as const, message: "prerequisite failed" } : { code: "timeout" as const, message: `slow ${i}` },
    }));
    const run = recorder();
    run.start(0, { tasks: 90 });
    run.emit(1000, { type: "run.finished", summary: summaryOf({ failed, counts: { ...summaryOf().counts, succeeded: 50, failed: 40 } }) });
    const text = frame(reduceAll(run.events), 1000, 20);
    expect(lines(text).length).toBeLessThanOrEqual(19);
    expect(text).toContain("✖ refactor src/f20.js — timeout: slow 20");
    expect(text).not.toContain("dependency-failed: prerequisite failed");
    expect(text).toMatch(/\+\d+ more in the report/);
  });

  it("prints each failure once above the live panel, however often it redraws", () => {
    const run = midRun();
    const state = reduceAll(run.events);
    const view = (now: number) => <Dashboard {...state} now={now} rows={40} columns={COLUMNS} />;
    const { lastFrame, rerender } = render(view(43_000));
    run.fail(44_000, "refactor", "src/module-28.js", "truncated", "finish_reason length");
    reduceAll(run.events.slice(-2), state);
    rerender(view(44_000));
    rerender(view(45_000));
    const text = stripAnsi(lastFrame());
    const logged = (file: string) => lines(text).filter((l) => l.startsWith("✖ failed") && l.includes(file)).length;
    expect(logged("module-25.js")).toBe(1);
    expect(logged("module-28.js")).toBe(1);
  });

  describe("replaying fixtures/events/sample-run.jsonl", () => {
    const events = loadEventFixture("sample-run");
    const upTo = (predicate: (e: SwarmEvent) => boolean) => events.slice(0, events.findIndex(predicate) + 1);

    it("shows the 429s and the lowered limit early on", () => {
      const early = upTo((e) => e.seq === 21);
      const text = frame(reduceAll(early), early.at(-1)!.t);
      expect(text).toContain("Concurrency 2/4 · 429 ×2");
      expect(text).toContain("0/8 0%");
      expect(text).toMatch(/refactor +src\/services\/users\.js +6\.6 s +attempt 2/);
    });

    it("shows validation with the repair agents in flight", () => {
      const validating = upTo((e) => e.type === "step.started" && e.kind === "repair");
      const text = frame(reduceAll(validating), validating.at(-1)!.t + 2000);
      expect(text).toContain("8/8 100%");
      expect(text).toContain("Validating 7 files · 2 new problems");
      expect(text).toMatch(/repair +src\/models\/user\.js +2\.0 s +attempt 1/);
      expect(text).toContain("test src/utils/ids.js — no-code-block: the answer had no fenced code block");
    });

    it("ends on the summary with the branch and what failed", () => {
      const text = frame(reduceAll(events), events.at(-1)!.t);
      expect(text).toContain("finished with failures in 1 m 02 s: 6/8 succeeded, 2 failed");
      expect(text).toMatch(/Branch +swarm\/20250612-093000-7f3a/);
      expect(text).toContain("$0.08 vs $0.06 estimated (+45%)");
      expect(text).toContain("✖ refactor src/utils/ids.js — reverted:");
      expect(text).toContain("✔ committed refactor: 3 files to swarm/20250612-093000-7f3a (3f9c2a1)");
    });
  });
});

describe("fitLiveRows", () => {
  it.each([
    { name: "everything fits", input: { rows: 40, fixedLines: 7, inFlight: 5, failures: 2 }, expected: { showsInFlight: true, inFlightRows: 5, showsMore: false, failureRows: 2, failureLines: 2 } },
    { name: "agents cut with +N more", input: { rows: 24, fixedLines: 7, inFlight: 300, failures: 0 }, expected: { showsInFlight: true, inFlightRows: 13, showsMore: true, failureRows: 0, failureLines: 0 } },
    { name: "failures take at most a third", input: { rows: 24, fixedLines: 7, inFlight: 300, failures: 20 }, expected: { showsInFlight: true, inFlightRows: 7, showsMore: true, failureRows: 4, failureLines: 4 } },
    { name: "tiny terminal: the agents' header first", input: { rows: 11, fixedLines: 7, inFlight: 300, failures: 20 }, expected: { showsInFlight: true, inFlightRows: 0, showsMore: true, failureRows: 0, failureLines: 0 } },
    { name: "no room at all", input: { rows: 8, fixedLines: 7, inFlight: 300, failures: 20 }, expected: { showsInFlight: false, inFlightRows: 0, showsMore: false, failureRows: 0, failureLines: 0 } },
    { name: "nothing in flight", input: { rows: 24, fixedLines: 7, inFlight: 0, failures: 3 }, expected: { showsInFlight: false, inFlightRows: 0, showsMore: false, failureRows: 3, failureLines: 3 } },
    // Wrapped reasons count their rows: 4 rows are the failures' share, so the two latest (2 + 2) are listed.
    { name: "wrapped failures count their rows", input: { rows: 24, fixedLines: 7, inFlight: 300, failures: [1, 3, 2, 2] }, expected: { showsInFlight: true, inFlightRows: 7, showsMore: true, failureRows: 2, failureLines: 4 } },
    // The newest failure is listed whole when it fits at all, even over the third.
    { name: "a long newest failure whole", input: { rows: 16, fixedLines: 7, inFlight: 300, failures: [1, 3] }, expected: { showsInFlight: true, inFlightRows: 0, showsMore: true, failureRows: 1, failureLines: 3 } },
  ])("$name", ({ input, expected }) => {
    const fit = fitLiveRows(input);
    expect(fit).toEqual(expected);
    const used = input.fixedLines + (fit.showsInFlight ? 2 + fit.inFlightRows + (fit.showsMore ? 1 : 0) : 0) + (fit.failureRows ? 2 + fit.failureLines : 0);
    expect(used).toBeLessThanOrEqual(Math.max(input.fixedLines, input.rows - 1));
  });
});

describe("RoleCounts", () => {
  it("shows no denominator when the plan's split per role is unknown", () => {
    const run = recorder();
    run.start(0, { tasks: 5, roles: ["refactor", "test"] });
    run.begin(0, "refactor", "a.js");
    run.finish(10, "refactor", "a.js");
    const text = frame(reduceAll(run.events), 100);
    expect(text).toMatch(/refactor +1\/\? +1 ok/);
    expect(text).toContain("1/5 20%");
  });
});

describe("Dashboard in-flight tokens", () => {
  it("shows each streaming agent's tokens so far and tokens/s", () => {
    const run = recorder();
    run.start(0, { tasks: 6, roles: ["refactor"] });
    run.begin(0, "refactor", "src/big.js");
    run.begin(0, "refactor", "src/waiting.js");
    run.emit(20_000, { type: "step.progress", taskId: "refactor:src/big.js", kind: "refactor", attempt: 1, outputTokens: 1234, elapsedMs: 20_000 });
    const rows = lines(frame(reduceAll(run.events), 20_000)).filter((l) => l.includes("src/"));
    expect(rows[0]).toMatch(/src\/big\.js +20\.0 s +1\.2k tok +62 tok\/s +attempt 1/);
    // An agent that has not streamed yet keeps its place in the column, with nothing in it.
    expect(rows[1]).toMatch(/src\/waiting\.js +20\.0 s {25,}attempt 1/);
  });
});
