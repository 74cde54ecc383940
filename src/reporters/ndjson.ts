import type { SwarmEvent } from "../events/index.js";
import { createHeartbeat, type HeartbeatClock } from "./heartbeat.js";
import type { Reporter, TextSink } from "./types.js";

export interface NdjsonReporterOptions {
  out: TextSink;
  /** Event time between two step.progress lines of one step. @default 10000 */
  progressEveryMs?: number;
  /** Silence after which a heartbeat line is written. @default 30000 */
  heartbeatEveryMs?: number;
  clock?: HeartbeatClock;
}

/**
 * `--json`: one event per line and nothing else, so `jq` and log shippers can read stdout as is.
 * Two departures from the bus: step.progress is thinned to one line per step every
 * `progressEveryMs` (the engine sends one a second per step: 300 lines/s at 300 agents), and a
 * `{"type":"heartbeat",…}` line without `seq` is written after a silence of `heartbeatEveryMs`.
 */
export function createNdjsonReporter(options: NdjsonReporterOptions): Reporter {
  const progressEveryMs = options.progressEveryMs ?? 10_000;
  // Per step (task and attempt): the event time of the last progress line written.
  const lastProgress = new Map<string, number>();
  const write = (value: unknown) => {
    // JSON.stringify escapes CR, LF and other control characters inside strings: one event, one line.
    options.out.write(JSON.stringify(value) + "\n");
    heartbeat.printed();
  };
  const heartbeat = createHeartbeat({
    everyMs: options.heartbeatEveryMs,
    clock: options.clock,
    write: (pulse) => write({ type: "heartbeat", ...pulse }),
  });
  return {
    onEvent(event: SwarmEvent) {
      heartbeat.onEvent(event);
      if (event.type === "step.progress") {
        const step = `${event.taskId}#${event.attempt}`;
        const last = lastProgress.get(step);
        if (last !== undefined && event.t - last < progressEveryMs) return;
        lastProgress.set(step, event.t);
      } else if (event.type === "step.finished") {
        lastProgress.delete(`${event.taskId}#${event.attempt}`);
      }
      write(event);
    },
    close: () => {
      heartbeat.stop();
      return Promise.resolve();
    },
  };
}
