import { EventEmitter } from "node:events";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDashboardReporter } from "../../../src/ui/dashboard-reporter.js";
import { recorder, stripAnsi, summaryOf } from "../../support/events.js";

// ink decides at import time whether it runs in CI (is-in-ci), and there it writes no live frames,
// only the last one at unmount; vi.hoisted runs before the imports above. The CLI never picks the dashboard in CI, so test it as in a terminal
// even when the suite itself runs in CI.
const savedEnv = vi.hoisted(() => {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.CI = "false";
  process.env.CONTINUOUS_INTEGRATION = "false";
  return saved;
});
afterAll(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** What ink needs of a terminal: write, a size, and resize events. */
class FakeTerminal extends EventEmitter {
  columns = 100;
  rows = 30;
  readonly writes: string[] = [];
  write = (chunk: string) => {
    this.writes.push(chunk);
    return true;
  };
  get output() {
    return stripAnsi(this.writes.join(""));
  }
}

function setup(fps?: number) {
  const stdout = new FakeTerminal();
  let frames = 0;
  const reporter = createDashboardReporter({
    stdout: stdout as unknown as NodeJS.WriteStream,
    // Frame cost on the faked clock: ink's real CPU time would make the frame count depend on the machine.
    costClock: () => Date.now(),
    ...(fps ? { fps } : {}),
    onRender: () => frames++,
  });
  return { stdout, reporter, frames: () => frames };
}

beforeEach(() => {
  // Ink settles its exit promise with setImmediate for streams without write callbacks: leave that real.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** 1,001 events: 200 tasks started and finished. */
function burst() {
  const run = recorder();
  run.start(0, { tasks: 200, roles: ["refactor"], concurrency: 50 });
  for (let i = 0; i < 200; i++) {
    run.begin(i * 4, "refactor", `src/f${i}.js`);
    run.finish(i * 4 + 2, "refactor", `src/f${i}.js`);
  }
  return run.events;
}

describe("createDashboardReporter", () => {
  it("redraws at most ~10 times a second however many events arrive", async () => {
    const { reporter, frames } = setup();
    const events = burst().slice(0, 1000);
    // One event a millisecond: 1,000 events over one second.
    for (const [i, event] of events.entries()) {
      reporter.onEvent({ ...event, t: i });
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(200);
    // 1 s of events at 10 fps: 10 frames, plus the leading one and one trailing.
    expect(frames()).toBeGreaterThanOrEqual(9);
    expect(frames()).toBeLessThanOrEqual(12);
    await reporter.close();
  });

  it("draws less often when frames are slow to draw", async () => {
    let slowness = 0;
    let frames = 0;
    const reporter = createDashboardReporter({
      stdout: new FakeTerminal() as unknown as NodeJS.WriteStream,
      now: () => Date.now() + slowness,
      costClock: () => Date.now() + slowness,
      // Every frame takes 50 ms of the injected clock: at most 1/8 of the time goes to drawing.
      onRender: () => {
        frames++;
        slowness += 50;
      },
    });
    const events = burst().slice(0, 1000);
    for (const [i, event] of events.entries()) {
      reporter.onEvent({ ...event, t: i });
      vi.advanceTimersByTime(1);
    }
    // The first frame, then one every 400 ms at most.
    expect(frames).toBeLessThanOrEqual(4);
    expect(frames).toBeGreaterThanOrEqual(2);
    await reporter.close();
  });

  it("still draws once a second when frames are very expensive", async () => {
    let slowness = 0;
    let frames = 0;
    const reporter = createDashboardReporter({
      stdout: new FakeTerminal() as unknown as NodeJS.WriteStream,
      costClock: () => Date.now() + slowness,
      // 500 ms of CPU a frame would mean one frame every 4 s at a 1/8 share; the floor is one a second.
      onRender: () => {
        frames++;
        slowness += 500;
      },
    });
    const events = burst();
    // 5 s of events, one every 5 ms.
    for (const [i, event] of events.entries()) {
      reporter.onEvent({ ...event, t: i * 5 });
      vi.advanceTimersByTime(5);
    }
    expect(frames).toBeGreaterThanOrEqual(3);
    expect(frames).toBeLessThanOrEqual(7);
    await reporter.close();
  });

  it("batches a synchronous burst into one frame", async () => {
    const { reporter, frames } = setup();
    for (const event of burst()) reporter.onEvent(event);
    expect(frames()).toBe(0);
    vi.advanceTimersByTime(0);
    expect(frames()).toBe(1);
    await reporter.close();
  });

  it("ticks four times a second while running so elapsed times move evenly without events", async () => {
    const { reporter, frames, stdout } = setup();
    const run = recorder();
    run.start(0, { tasks: 3, roles: ["refactor"] });
    run.begin(0, "refactor", "src/slow.js");
    for (const event of run.events) reporter.onEvent(event);
    vi.advanceTimersByTime(100);
    const before = frames();
    vi.advanceTimersByTime(3000);
    // Issue 17: tenths of a second move 4 times a second, not in 1 s jumps.
    expect(frames() - before).toBe(12);
    expect(stdout.output).toMatch(/src\/slow\.js +3\.\d s +attempt 1/);
    await reporter.close();
  });

  it("draws a phase at once, so its clock moves while blocking work holds the timers (issue 17)", async () => {
    const { reporter, stdout, frames } = setup();
    const run = recorder();
    const t0 = Date.now();
    // The wall clock moves but no timer fires: the estimate holds the event loop and announces itself from inside it.
    const blockedUntil = (ms: number) => vi.setSystemTime(t0 + ms);
    reporter.onEvent(run.emit(0, { type: "run.phase", phase: "scanning", elapsedMs: 40 }));
    expect(frames()).toBe(1);
    blockedUntil(300);
    reporter.onEvent(run.emit(300, { type: "run.phase", phase: "estimating", count: 900, elapsedMs: 340 }));
    expect(frames()).toBe(2);
    expect(stdout.output).toContain("swarm: estimating 900 tasks… 340 ms");
    // The same phase again: drawn at most every 200 ms.
    blockedUntil(400);
    reporter.onEvent(run.emit(400, { type: "run.phase", phase: "estimating", count: 900, elapsedMs: 440 }));
    expect(frames()).toBe(2);
    blockedUntil(700);
    reporter.onEvent(run.emit(700, { type: "run.phase", phase: "estimating", count: 900, elapsedMs: 740 }));
    expect(frames()).toBe(3);
    expect(stdout.output).toContain("swarm: estimating 900 tasks… 740 ms");
    await reporter.close();
  });

  it("draws the summary as soon as the run finishes and leaves it on screen after close", async () => {
    const { reporter, stdout } = setup();
    const run = recorder();
    run.start(0, { tasks: 90, costUSD: 3.4 });
    run.begin(0, "refactor", "src/a.js");
    run.emit(1000, { type: "run.draining", reason: "interrupt" });
    for (const event of run.events) reporter.onEvent(event);
    vi.advanceTimersByTime(100);
    expect(stdout.output).toContain("Draining — waiting for 1 in-flight agent (Ctrl-C again to abort)");

    reporter.onEvent(run.emit(2000, { type: "run.finished", summary: summaryOf({ stoppedBy: "interrupt" }) }));
    const atFinish = stdout.writes.length;
    expect(stripAnsi(stdout.writes.slice(atFinish - 1).join(""))).toContain("interrupted in 4 m 12 s");
    await reporter.close();
    const after = stdout.output;
    expect(after.slice(after.lastIndexOf("■ Run"))).toMatch(/Branch +swarm\/20250101-120000-abcd/);
    // Unmounting must not erase the summary: nothing after it clears lines.
    expect(stdout.writes.slice(atFinish).join("")).not.toMatch(/\x1b\[2K|\x1b\[1A/);
  });

  it("writes nothing when no event arrived, and closes more than once", async () => {
    const { reporter, stdout } = setup();
    await reporter.close();
    await reporter.close();
    expect(stdout.writes).toEqual([]);
  });

  it("ignores events after close", async () => {
    const { reporter, stdout, frames } = setup();
    const run = recorder();
    run.start(0, { tasks: 1 });
    reporter.onEvent(run.events[0]);
    await reporter.close();
    const written = stdout.writes.length;
    reporter.onEvent(run.emit(5, { type: "run.warning", message: "late" }));
    vi.advanceTimersByTime(2000);
    expect(stdout.writes.length).toBe(written);
    expect(frames()).toBeGreaterThan(0);
  });

  it("rejects fps that would never draw", () => {
    expect(() => createDashboardReporter({ stdout: new FakeTerminal() as unknown as NodeJS.WriteStream, fps: 0 })).toThrow(
      "fps: expected a number > 0, got 0",
    );
  });
});
