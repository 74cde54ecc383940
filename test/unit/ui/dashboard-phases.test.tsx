import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard } from "../../../src/ui/Dashboard.js";
import { reduceAll, type DashboardState } from "../../../src/ui/state.js";
import { recorder, stripAnsi, summaryOf } from "../../support/events.js";

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
