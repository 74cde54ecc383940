import { render, type Instance } from "ink";
import type { SwarmEvent } from "../events/index.js";
import type { Reporter } from "../reporters/index.js";
import { Dashboard } from "./Dashboard.js";
import { initialState, reduce } from "./state.js";

export interface DashboardReporterOptions {
  /** The terminal to draw on; its `rows` and `columns` size the live panel. */
  stdout: NodeJS.WriteStream;
  /**
   * Handed to ink. The dashboard reads no keys (the CLI owns Ctrl-C and turns it into
   * run.draining), so ink never puts it in raw mode. @default process.stdin
   */
  stdin?: NodeJS.ReadStream;
  /** Wall clock, to advance elapsed times between events. @default Date.now */
  now?: () => number;
  /**
   * Clock that measures what a frame costs. CPU time rather than wall time: on a machine shared with
   * other work a frame takes longer on the wall clock without costing the run more, and backing off
   * on wall time there left ~1.6 frames/s at 300 agents (measured at load average 13 on 2 cores).
   * @default process CPU time (user + system), in ms
   */
  costClock?: () => number;
  /** Redraws per second at most, however many events arrive. @default 10 */
  fps?: number;
  /** Called after each frame ink renders (tests count frames with it). */
  onRender?: () => void;
}

/** Used when stdout does not report its size (not a terminal). */
const DEFAULT_ROWS = 24;
const DEFAULT_COLUMNS = 80;
/**
 * Elapsed times show tenths of a second for their first minute, so without events a redraw every 250 ms
 * keeps them moving evenly (issue 17: a tick a second read as jumpy at 200×60). MAX_RENDER_SHARE still
 * spaces frames out when they are expensive.
 */
const TICK_MS = 250;
/**
 * Redraws may take at most this share of the time. ink lays out and re-tokenizes the whole frame on
 * every redraw: 7–28 ms for a 24–50 row frame with 300 agents (measured), so a tall terminal or a slow
 * machine gets fewer frames per second rather than a busy core.
 */
const MAX_RENDER_SHARE = 0.125;
/**
 * However expensive frames get, one a second at least: a 2–3 s gap (one GC-stretched frame on a busy
 * machine used to set the interval on its own) reads as a frozen screen.
 */
const MAX_INTERVAL_MS = 1000;
/** A new phase is drawn at once; the same phase announced again during blocking work, no more often than this. */
const SYNC_DRAW_MS = 200;
/** Weight of the newest frame in the smoothed frame cost: one slow frame must not set the pace alone. */
const COST_SMOOTHING = 0.3;

/**
 * The terminal view as a Reporter:
 * - every event is folded into one state at once (cheap, synchronous);
 * - ink redraws at most `fps` times a second, from one pending timer, plus a tick every TICK_MS for elapsed
 *   times; fewer when frames are expensive to draw (MAX_RENDER_SHARE), but at least one a second;
 * - run.finished draws the final summary at once; close() unmounts and resolves once that frame is written,
 *   leaving it on screen.
 * It installs no signal handlers.
 */
export function createDashboardReporter(options: DashboardReporterOptions): Reporter {
  const { stdout, stdin, now = Date.now, costClock = processCpuMs, fps = 10, onRender } = options;
  if (!(fps > 0)) throw new TypeError(`fps: expected a number > 0, got ${fps}`);
  const minIntervalMs = 1000 / fps;
  let intervalMs = minIntervalMs;
  let frameCostMs: number | null = null;

  const state = initialState();
  let instance: Instance | null = null;
  let pending: NodeJS.Timeout | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let lastRenderAt = Number.NEGATIVE_INFINITY;
  let isDirty = false;
  let isClosed = false;
  let renderError: unknown = null;
  let closing: Promise<void> | null = null;
  // Wall time minus event time, taken from the first event: maps the wall clock onto event `t`.
  let clockOffset: number | null = null;

  const eventNow = () => (clockOffset === null ? state.lastT : Math.max(state.lastT, now() - clockOffset));

  const frame = () => (
    <Dashboard
      {...state}
      now={eventNow()}
      rows={stdout.rows || DEFAULT_ROWS}
      columns={stdout.columns || DEFAULT_COLUMNS}
    />
  );

  const stopTimers = () => {
    if (pending) clearTimeout(pending);
    if (ticker) clearInterval(ticker);
    pending = null;
    ticker = null;
  };

  const renderNow = () => {
    if (pending) clearTimeout(pending);
    pending = null;
    if (renderError !== null) return;
    isDirty = false;
    lastRenderAt = now();
    const costStart = costClock();
    try {
      if (instance) {
        instance.rerender(frame());
        // ink draws synchronously (legacy root), so this is the frame's whole cost. (The first
        // frame also pays for setting ink up, so it does not count.)
        const costMs = costClock() - costStart;
        frameCostMs = frameCostMs === null ? costMs : frameCostMs + COST_SMOOTHING * (costMs - frameCostMs);
        intervalMs = Math.min(Math.max(minIntervalMs, MAX_INTERVAL_MS), Math.max(minIntervalMs, frameCostMs / MAX_RENDER_SHARE));
      } else {
        instance = render(frame(), {
          stdout,
          ...(stdin ? { stdin } : {}),
          exitOnCtrlC: false,
          patchConsole: false,
          ...(onRender ? { onRender: () => onRender() } : {}),
        });
      }
    } catch (error) {
      // A drawing bug must not take the run down (this runs from a timer); close() reports it.
      renderError = error;
      stopTimers();
    }
  };

  const scheduleRender = () => {
    isDirty = true;
    if (pending || isClosed || renderError !== null) return;
    const waitMs = Math.max(0, lastRenderAt + intervalMs - now());
    pending = setTimeout(renderNow, waitMs);
  };

  const onResize = () => scheduleRender();

  return {
    onEvent(event: SwarmEvent) {
      if (isClosed) return;
      clockOffset ??= now() - event.t;
      const phaseBefore = state.runPhase?.phase;
      reduce(state, event);
      if (event.type === "run.finished") {
        stopTimers();
        renderNow();
        return;
      }
      // The graph, the estimate and the cross-file checks hold the event loop for a while on big repos: the phase
      // (announced again during the estimate) is drawn at once, so its clock moves while timers cannot fire.
      const drawsNow = (event.type === "validate.started" && instance !== null) || (event.type === "run.phase" && (event.phase !== phaseBefore || now() - lastRenderAt >= SYNC_DRAW_MS));
      if (!ticker) {
        ticker = setInterval(scheduleRender, TICK_MS);
        ticker.unref();
        stdout.on("resize", onResize);
      }
      if (drawsNow) renderNow();
      else scheduleRender();
    },

    close() {
      closing ??= (async () => {
        isClosed = true;
        stopTimers();
        stdout.off("resize", onResize);
        if (isDirty) renderNow();
        if (instance) {
          const current = instance;
          // Subscribe before unmounting: ink settles the exit promise during unmount, after the
          // last frame has been handed to stdout.
          const exited = current.waitUntilExit();
          current.unmount();
          await exited;
        }
        if (renderError !== null) throw renderError;
      })();
      return closing;
    },
  };
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
