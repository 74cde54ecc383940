import { describe, expect, it } from "vitest";
import { createPlainReporter, type PlainStyle } from "../../../src/reporters/plain.js";
import { collect, recorder, summaryOf } from "../../support/events.js";

/** 40 tasks: 38 succeed, 2 fail; phases around them. */
function run40() {
  const run = recorder();
  run.emit(0, { type: "run.phase", phase: "scanning", elapsedMs: 50 });
  // Announced again while the estimate holds the event loop (for terminals): printed once.
  run.emit(0, { type: "run.phase", phase: "estimating", count: 40, elapsedMs: 70 });
  run.emit(0, { type: "run.phase", phase: "estimating", count: 40, elapsedMs: 330 });
  run.start(100, { tasks: 40, concurrency: 4 });
  run.emit(100, { type: "run.phase", phase: "running", count: 40, elapsedMs: 1200 });
  for (let i = 0; i < 40; i++) {
    const t = 200 + i * 10;
    if (i === 7 || i === 30) run.fail(t, "refactor", `src/m${i}.ts`, "timeout", "no answer within 120 s", 3);
    else run.finish(t, "refactor", `src/m${i}.ts`);
  }
  run.emit(700, { type: "run.phase", phase: "validating", count: 40, elapsedMs: 1800 });
  run.emit(800, { type: "run.finished", summary: summaryOf({ failed: [], baseSha: "abcdef0123456789", instruction: "Use const" }) });
  return run.events;
}

function output(style: PlainStyle): string[] {
  const sink = collect();
  const reporter = createPlainReporter({ out: sink.out, style, progressEveryMs: 100 });
  for (const event of run40()) reporter.onEvent(event);
  return sink.lines();
}

describe("plain reporter styles (issue 17)", () => {
  it("prints each phase with the time since the command started", () => {
    const lines = output("lines");
    expect(lines[0]).toBe("phase: scanning files (50 ms)");
    expect(lines.filter((l) => l.startsWith("phase: estimating"))).toEqual(["phase: estimating 40 tasks (70 ms)"]);
    expect(lines).toContain("phase: running 40 tasks (1.2 s)");
    expect(lines).toContain("phase: validating 40 files (1.8 s)");
  });

  it("ci: a progress line per 5% and every failure, no line per task", () => {
    const lines = output("ci");
    expect(lines.filter((l) => l.startsWith("ok "))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("FAIL "))).toHaveLength(2);
    const progress = lines.filter((l) => l.startsWith("[ "));
    expect(progress).toHaveLength(20);
    expect(progress[0]).toMatch(/^\[ 2\/40 5% \]/);
    expect(progress.at(-1)).toMatch(/^\[ 40\/40 100% \]/);
  });

  it("dots: a character per task, 80 to a line, then the summary", () => {
    const lines = output("dots");
    expect(lines).toContain(".......F......................F.........");
    expect(lines.some((l) => l.startsWith("[ "))).toBe(false);
    expect(lines).toContain("review:");
  });

  it("failures: only the failures, the phases and the summary", () => {
    const lines = output("failures");
    expect(lines.filter((l) => l.startsWith("ok ") || l.startsWith("[ "))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("FAIL "))).toHaveLength(2);
    expect(lines.some((l) => l.startsWith("done: "))).toBe(true);
  });

  it("ends with the review hand-off: log, diff, push and pull request", () => {
    const lines = output("lines");
    const branch = summaryOf().branch!;
    expect(lines.slice(-4)).toEqual([
      "review:",
      `  git log --stat abcdef012345..${branch}`,
      `  git diff abcdef012345...${branch}`,
      `  git push -u origin ${branch} && gh pr create --head ${branch} --title 'Use const' --body-file ${summaryOf().reportMd}`,
    ]);
  });

  it("prints why the limit changed", () => {
    const sink = collect();
    const reporter = createPlainReporter({ out: sink.out });
    const run = recorder();
    run.start(0, { tasks: 4, concurrency: 8 });
    run.emit(10, { type: "limit.changed", limit: 4, max: 8, reason: "rate-limited", detail: "12 of the last 40 requests rate-limited" });
    for (const event of run.events) reporter.onEvent(event);
    expect(sink.lines()).toContain("limit: concurrency 4 of 8 (rate-limited: 12 of the last 40 requests rate-limited)");
  });
});
