import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard } from "../../../src/ui/Dashboard.js";
import { reduceAll, type DashboardState } from "../../../src/ui/state.js";
import { metricsOf, recorder, stripAnsi, summaryOf } from "../../support/events.js";

afterEach(() => cleanup());

// Issue 17, item 2: frames at 80×24 and 200×60.
function frame(state: DashboardState, now: number, rows: number, columns: number): string[] {
  const { lastFrame } = render(<Dashboard {...state} now={now} rows={rows} columns={columns} />);
  return stripAnsi(lastFrame()).split("\n");
}

function limitedRun() {
  const run = recorder();
  run.emit(0, { type: "run.phase", phase: "scanning", elapsedMs: 60 });
  run.start(2000, { tasks: 40, concurrency: 8, costUSD: 1.2, tasksByRole: { refactor: 20, test: 20 } });
  for (let i = 0; i < 6; i++) run.begin(2100 + i, "refactor", `packages/server/src/monitor-types/very-long-folder-name/module-${i}.ts`);
  run.emit(5000, { type: "limit.changed", limit: 4, max: 8, reason: "rate-limited", detail: "12 of the last 40 requests were rate-limited (HTTP 429)" });
  return run;
}

describe("Dashboard phases and hand-off (issue 17)", () => {
  it("shows the phase and a running clock before the run starts", () => {
    const run = recorder();
    run.emit(0, { type: "run.phase", phase: "scanning", elapsedMs: 60 });
    const at80 = frame(reduceAll(run.events), 1500, 24, 80);
    expect(at80).toEqual(["swarm: scanning files… 1.6 s"]);
    // The clock keeps moving between events.
    expect(frame(reduceAll(run.events), 2500, 24, 80)).toEqual(["swarm: scanning files… 2.6 s"]);
  });

  it("says why the limit dropped, whole, within 80×24", () => {
    const rows = frame(reduceAll(limitedRun().events), 6000, 24, 80);
    expect(rows.length).toBeLessThanOrEqual(23);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    const text = rows.join(" ").replace(/\s+/g, " ");
    expect(text).toContain("Limit 4/8: rate-limited (12 of the last 40 requests were rate-limited (HTTP 429))");
  });

  it("says why the limit dropped on one row at 200×60", () => {
    const rows = frame(reduceAll(limitedRun().events), 6000, 60, 200);
    expect(rows).toContain("Limit 4/8: rate-limited (12 of the last 40 requests were rate-limited (HTTP 429))");
  });

  it("drops the drain line once nothing is in flight", () => {
    const run = recorder();
    run.start(0, { tasks: 2, concurrency: 2 });
    run.begin(100, "refactor", "src/a.ts");
    run.emit(200, { type: "run.draining", reason: "interrupt" });
    expect(frame(reduceAll(run.events), 300, 24, 80).join("\n")).toContain("Draining — waiting for 1 in-flight agent");
    run.finish(400, "refactor", "src/a.ts");
    const after = frame(reduceAll(run.events), 500, 24, 80).join("\n");
    expect(after).not.toContain("Draining");
    expect(after).not.toContain("0 in-flight");
  });

  it.each([
    [80, 24],
    [200, 60],
  ])("ends with the review hand-off at %i×%i", (columns, rows) => {
    const run = recorder();
    run.start(0, { tasks: 2, concurrency: 2 });
    const summary = summaryOf({ failed: [], baseSha: "0123456789abcdef0123", instruction: "Convert callbacks to async/await" });
    summary.counts = { ...summary.counts, failed: 0 };
    run.emit(1000, { type: "run.finished", summary });
    const shown = frame(reduceAll(run.events), 1000, rows, columns);
    expect(shown.length).toBeLessThanOrEqual(rows - 1);
    const text = shown.join("\n");
    // Copied commands are never cut: each is whole on one row or on a row of its own.
    const joined = shown.map((r) => r.trim()).join(" ");
    expect(joined).toContain(`git log --stat 0123456789ab..${summary.branch}`);
    expect(joined).toContain(`git diff 0123456789ab...${summary.branch}`);
    expect(text).toContain("gh pr create");
    expect(joined.replace(/\s+/g, " ")).toContain("--title 'Convert callbacks to async/await'");
  });
});

describe("the hand-off at 80×24 after a run with failures and metrics (issue 17)", () => {
  it("keeps the review, diff and PR lines; the agents' spread figures give way (plain output and report.md carry them)", () => {
    const run = recorder();
    run.start(0, { tasks: 90, concurrency: 8 });
    const summary = summaryOf({ metrics: metricsOf(), baseSha: "0123456789abcdef0123", instruction: "Convert callbacks to async/await", reportMd: "/home/user/projects/uptime-kuma/.swarm/runs/20261205-075045-7866/report.md" });
    run.emit(1000, { type: "run.finished", summary });
    const shown = frame(reduceAll(run.events), 1000, 24, 80);
    expect(shown.length).toBeLessThanOrEqual(23);
    const joined = shown.map((r) => r.trim()).join(" ");
    expect(joined).toContain(`git log --stat 0123456789ab..${summary.branch}`);
    expect(joined).toContain(`git diff 0123456789ab...${summary.branch}`);
    expect(joined).toContain("gh pr create");
    // Branch, report and the first failure's reason still show.
    expect(joined).toContain(summary.branch!);
    expect(joined).toContain(summary.reportMd);
    expect(joined).toContain(summary.failed[0]!.file);
  });
});

describe("Dashboard failures at 80×24 (issue 17)", () => {
  it("keeps each reason whole: the path loses its middle, the reason wraps", () => {
    const run = recorder();
    run.start(0, { tasks: 10, concurrency: 4 });
    const file = "packages/server/src/monitor-types/very-long-folder-name/smtp-notification.ts";
    const reason = "HTTP 400: content rejected by the provider's safety filter for this request; shorten the prompt";
    run.begin(500, "refactor", "src/other.ts");
    run.fail(1000, "refactor", file, "bad-request", reason, 3);
    // The failure is printed once above the panel (scrollback); the live panel is what follows the log line.
    const all = frame(reduceAll(run.events), 2000, 24, 80);
    const rows = all.slice(all.findIndex((r) => r.startsWith("swarm run ")));
    expect(rows.length).toBeLessThanOrEqual(23);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    const text = rows.map((r) => r.trim()).join(" ");
    expect(text).toContain(`bad-request: ${reason}`);
    expect(text).toMatch(/✖ refactor packages\/ser\S*…\S*notification\.ts — bad-request/);
  });
});

describe("Dashboard header and cost line (issue 17)", () => {
  function busyRun() {
    const run = recorder("20261205-065012-a1b2");
    run.start(0, { tasks: 903, concurrency: 8, costUSD: 12.34, roles: ["refactor", "test", "doc"] });
    for (let i = 0; i < 40; i++) run.begin(100 + i, "refactor", `packages/server/src/monitor-types/very-long-folder-name/module-${i}.ts`);
    for (let i = 0; i < 6; i++) run.finish(2000 + i, "refactor", `packages/server/src/monitor-types/very-long-folder-name/module-${i}.ts`, { costUSD: 1.234 });
    run.emit(2200, { type: "run.projection", costUSD: 13.02, etaMs: 1_500_000, tasksDone: 90, tasks: 903, spentUSD: 7.4 });
    const reason = "HTTP 400: content rejected by the provider's safety filter for this request; shorten the prompt and try again later";
    for (let i = 0; i < 4; i++) run.fail(3000 + i, "test", `packages/server/src/notification-providers/deeply/nested/folder/provider-${i}.ts`, "bad-request", reason, 3);
    return { run, reason };
  }
  const liveRows = (all: string[]) => all.slice(all.findIndex((r) => r.startsWith("swarm run ")));

  it("packs the header and cost line onto whole rows at 80×24, and the frame still fits", () => {
    const { run, reason } = busyRun();
    const rows = liveRows(frame(reduceAll(run.events), 5000, 24, 80));
    expect(rows.length).toBeLessThanOrEqual(23);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    // Every part of the header and the cost line is there, none cut with "…".
    expect(rows.slice(0, 2)).toEqual(["swarm run 20261205-065012-a1b2 · kimi-k2.6 · refactor, test, doc", "903 tasks, 301 files (2 skipped)"]);
    const cost = rows.findIndex((r) => r.startsWith("Cost "));
    expect(rows.slice(cost, cost + 2)).toEqual(["Cost $7.41 of $12.34 estimated (60%) · projected $13.02 at the end", "tokens 9.2k in (2.4k cached) / 2k out · 10 requests"]);
    // The latest failure's reason wraps whole under its row; the path keeps both ends.
    const text = rows.map((r) => r.trim()).join(" ");
    expect(text).toContain(`bad-request: ${reason}`);
    expect(text).toMatch(/✖ test packages\/ser\S*…\S*provider-3\.ts — bad-request/);
    // The agents' paths lose their middle too, keeping the package and the file name.
    expect(rows.some((r) => /refactor {2}packages\/\S*…\S*\/module-\d+\.ts/.test(r))).toBe(true);
  });

  it("keeps the header and cost line on one row each at 200×60", () => {
    const { run } = busyRun();
    const rows = liveRows(frame(reduceAll(run.events), 5000, 60, 200));
    expect(rows.length).toBeLessThanOrEqual(59);
    expect(rows[0]).toBe("swarm run 20261205-065012-a1b2 · kimi-k2.6 · refactor, test, doc · 903 tasks, 301 files (2 skipped)");
    expect(rows).toContain("Cost $7.41 of $12.34 estimated (60%) · projected $13.02 at the end · tokens 9.2k in (2.4k cached) / 2k out · 10 requests");
    // One ETA: the projection (25 m from t=2.2 s, validation and commit included), counted down to the frame at 5 s.
    expect(rows.filter((r) => r.includes("ETA "))).toHaveLength(1);
    expect(rows.find((r) => r.includes("ETA "))).toContain("ETA 24 m 57 s");
  });
});

describe("Final summary failures at 80×24 (issue 17)", () => {
  it("wraps each reason whole under a path that lost its middle, and still fits", () => {
    const run = recorder();
    run.start(0, { tasks: 90, concurrency: 8, costUSD: 3.4 });
    const file = "packages/server/src/monitor-types/very-long-folder-name/smtp-notification.ts";
    const message = "HTTP 400: content rejected by the provider's safety filter for this request; shorten the prompt";
    const summary = summaryOf({ baseSha: "0123456789abcdef", instruction: "Convert callbacks to async/await" });
    summary.failed = [{ taskId: `refactor:${file}`, file, output: file, error: { code: "bad-request", message } }, ...summary.failed];
    run.emit(1000, { type: "run.finished", summary });
    const rows = frame(reduceAll(run.events), 1000, 24, 80);
    expect(rows.length).toBeLessThanOrEqual(23);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    const text = rows.map((r) => r.trim()).join(" ");
    expect(text).toMatch(/✖ refactor packages\/ser\S*…\S*notification\.ts — bad-request/);
    expect(text).toContain(`bad-request: ${message}`);
    expect(text).toContain("✖ refactor src/a.js — no-code-block: the answer had no fenced code block");
  });
});
