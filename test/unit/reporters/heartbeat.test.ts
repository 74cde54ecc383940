import { describe, expect, it } from "vitest";
import type { HeartbeatClock } from "../../../src/reporters/heartbeat.js";
import { createNdjsonReporter } from "../../../src/reporters/ndjson.js";
import { createPlainReporter } from "../../../src/reporters/plain.js";
import { collect, recorder } from "../../support/events.js";

/** A clock that moves only when told, firing due ticks in order: the heartbeat's output is a function of the test's steps. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ ms: number; next: number; tick: () => void }>();
  const clock: HeartbeatClock = {
    now: () => now,
    every(ms, tick) {
      const timer = { ms, next: now + ms, tick };
      timers.add(timer);
      return () => timers.delete(timer);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers].filter((t) => t.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      now = due.next;
      due.next += due.ms;
      due.tick();
    }
    now = end;
  };
  return { clock, advance, timers };
}

describe("heartbeat of the plain reporter", () => {
  it("says what the run waits for after 30 s of silence, at most once per 30 s, and stops with the run", async () => {
    const { clock, advance, timers } = manualClock();
    const sink = collect();
    const reporter = createPlainReporter({ out: sink.out, clock });
    const run = recorder();
    const feed = (t: number, emit: () => void) => {
      advance(t - clock.now());
      const before = run.events.length;
      emit();
      for (const e of run.events.slice(before)) reporter.onEvent(e);
    };
    feed(0, () => run.start(0, { tasks: 3, roles: ["refactor"] }));
    feed(0, () => {
      run.begin(0, "refactor", "a.js");
      run.begin(0, "refactor", "b.js");
    });
    feed(4000, () => run.finish(4000, "refactor", "a.js"));
    const printed = sink.lines().length;

    advance(29_000); // 33 s: the last line was 29 s ago
    expect(sink.lines()).toHaveLength(printed);
    advance(7_000); // the 10 s tick at 40 s finds 36 s of silence
    expect(sink.lines().slice(printed)).toEqual(["... still running: 1 in flight, 0 repairs running, last answer 36.0 s ago"]);
    advance(29_000); // 69 s: 29 s after the pulse, not yet another
    expect(sink.lines()).toHaveLength(printed + 1);
    advance(1_000);
    expect(sink.lines()).toHaveLength(printed + 2);

    feed(clock.now(), () => run.finish(clock.now(), "refactor", "b.js"));
    feed(clock.now(), () => run.emit(clock.now(), { type: "step.started", taskId: "refactor:b.js", kind: "repair", attempt: 1, model: "m" }));
    const afterOk = sink.lines().length;
    advance(40_000);
    expect(sink.lines().slice(afterOk)).toEqual(["... still running: 0 in flight, 1 repair running, last answer 30.0 s ago"]);

    await reporter.close();
    expect(timers.size).toBe(0);
  });

  it("stays silent while other lines keep coming", () => {
    const { clock, advance } = manualClock();
    const sink = collect();
    const reporter = createPlainReporter({ out: sink.out, clock });
    const run = recorder();
    reporter.onEvent(run.start(0, { tasks: 30, roles: ["refactor"] }));
    for (let i = 0; i < 10; i++) {
      advance(20_000);
      run.begin(i * 20_000, "refactor", `f${i}.js`);
      run.finish(i * 20_000, "refactor", `f${i}.js`);
      for (const e of run.events.slice(-4)) reporter.onEvent(e);
    }
    expect(sink.text()).not.toContain("still running");
  });
});

describe("ndjson reporter: heartbeat and progress", () => {
  it("writes a heartbeat line after a silence and thins step.progress to one line per step every 10 s", async () => {
    const { clock, advance } = manualClock();
    const sink = collect();
    const reporter = createNdjsonReporter({ out: sink.out, clock });
    const run = recorder();
    reporter.onEvent(run.start(0, { tasks: 3, roles: ["refactor"] }));
    run.begin(0, "refactor", "a.js");
    for (const e of run.events.slice(1)) reporter.onEvent(e);
    for (let s = 1; s <= 25; s++) {
      advance(1000);
      reporter.onEvent(run.emit(s * 1000, { type: "step.progress", taskId: "refactor:a.js", kind: "refactor", attempt: 1, outputTokens: s * 50, elapsedMs: s * 1000 }));
    }
    const progress = sink.lines().map((l) => JSON.parse(l) as { type: string; outputTokens?: number });
    expect(progress.filter((e) => e.type === "step.progress").map((e) => e.outputTokens)).toEqual([50, 550, 1050]);

    advance(40_000); // the stream stalls: no events
    const pulses = sink.lines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.type === "heartbeat");
    expect(pulses).toEqual([{ type: "heartbeat", runId: run.events[0].runId, t: 60_000, inFlight: 1, repairs: 0, sinceLastAnswerMs: null }]);
    await reporter.close();
  });
});
