import type { SwarmEvent } from "../events/index.js";

/**
 * Time for the heartbeat. A stalled endpoint sends no events, so silence can only be noticed by a
 * timer; tests inject a manual one to stay deterministic.
 */
export interface HeartbeatClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

const systemClock: HeartbeatClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // The heartbeat never keeps the process alive on its own.
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** What a heartbeat says: the run is alive, and what it is waiting for. */
export interface Pulse {
  /** Event time (ms since run start) the pulse stands for: the last event's `t` plus the silence since. */
  t: number;
  runId: string;
  inFlight: number;
  repairs: number;
  /** Null until the first answer. */
  sinceLastAnswerMs: number | null;
}

export interface HeartbeatOptions {
  /** Silence after which a pulse is written. @default 30000 */
  everyMs?: number;
  clock?: HeartbeatClock;
  write(pulse: Pulse): void;
}

export interface Heartbeat {
  onEvent(event: SwarmEvent): void;
  /** The reporter printed something: the silence starts again. */
  printed(): void;
  stop(): void;
}

/**
 * Writes a pulse when nothing was printed for `everyMs`, from run.started to run.finished: at most
 * one per `everyMs`, so a CI log shows the run is alive without drowning what matters.
 */
export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const everyMs = options.everyMs ?? 30_000;
  const clock = options.clock ?? systemClock;
  const tasks = new Set<string>();
  const repairs = new Set<string>();
  let runId = "";
  let lastT = 0;
  let lastEventAt = 0;
  let lastPrintAt = 0;
  let lastAnswerAt: number | null = null;
  let cancel: (() => void) | null = null;

  const tick = () => {
    const now = clock.now();
    if (now - lastPrintAt < everyMs) return;
    lastPrintAt = now;
    options.write({
      t: lastT + (now - lastEventAt),
      runId,
      inFlight: tasks.size,
      repairs: repairs.size,
      sinceLastAnswerMs: lastAnswerAt === null ? null : now - lastAnswerAt,
    });
  };

  const stop = () => {
    cancel?.();
    cancel = null;
  };

  return {
    onEvent(event) {
      const now = clock.now();
      lastT = event.t;
      lastEventAt = now;
      switch (event.type) {
        case "run.started":
          runId = event.runId;
          lastPrintAt = now;
          // Ticks a few times per period, so a pulse comes at most a third of a period late.
          cancel ??= clock.every(Math.max(1, Math.floor(everyMs / 3)), tick);
          break;
        case "task.started":
          tasks.add(event.taskId);
          break;
        case "task.finished":
        case "task.failed":
          tasks.delete(event.taskId);
          break;
        case "step.started":
          if (event.kind === "repair") repairs.add(event.taskId);
          break;
        case "step.finished":
          // A 429 or a cancelled stall is not an answer: the silence it ends is the one to report.
          if (event.ok) lastAnswerAt = now;
          if (event.kind === "repair") repairs.delete(event.taskId);
          break;
        case "run.finished":
          stop();
          break;
      }
    },
    printed() {
      lastPrintAt = clock.now();
    },
    stop,
  };
}
