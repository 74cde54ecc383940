import type { RunPhase } from "../../events/index.js";
import { describePhase } from "../../report/index.js";
import { formatDuration } from "../../util/index.js";
import { isCI } from "../output-mode.js";

/** What a status line needs of stderr. */
interface StatusStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface PhaseStatus {
  phase(phase: RunPhase, count?: number): void;
  /** Progress inside a phase that holds the event loop: redrawn from the caller's own calls, at most 4 times a second. */
  progress(done: number, total: number): void;
  /** Clears the line: the command's result follows on a clean screen. */
  stop(): void;
}

const REDRAW_MS = 250;
const CLEAR = "\r\x1b[K";

/**
 * `swarm: scanning files… 0.4 s` on one stderr row, rewritten in place while `plan`, `estimate` or `validate`
 * works (issue 17: a phase line from the first 100 ms). Only on an interactive terminal outside CI: stdout
 * carries the command's result and pipes and logs get nothing extra. Elapsed is since the process started.
 */
export function phaseStatus(stderr: StatusStream, env: NodeJS.ProcessEnv, now = () => performance.now()): PhaseStatus | null {
  if (stderr.isTTY !== true || isCI(env)) return null;
  let text = "";
  let lastDraw = Number.NEGATIVE_INFINITY;
  const draw = () => {
    lastDraw = now();
    stderr.write(`${CLEAR}swarm: ${text}… ${formatDuration(lastDraw)}`);
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  return {
    phase(phase, count) {
      text = describePhase(phase, count);
      draw();
    },
    progress(done, total) {
      if (now() - lastDraw < REDRAW_MS) return;
      text = `${text.replace(/ \(\d+ of \d+\)$/, "")} (${done} of ${total})`;
      draw();
    },
    stop() {
      clearInterval(timer);
      stderr.write(CLEAR);
    },
  };
}
