import type { CliIO } from "../io.js";

/** The run's two stop signals, wired to Ctrl-C / SIGTERM: the first drains, the second aborts. */
export interface StopSignals {
  drain: AbortSignal;
  abort: AbortSignal;
}

/** Runs `fn` with the stop signals installed, and removes the handlers however it ends. */
export async function withStopSignals<T>(io: CliIO, fn: (signals: StopSignals) => Promise<T>): Promise<T> {
  const drain = new AbortController();
  const abort = new AbortController();
  const removeSignals = io.installSignals(
    () => drain.abort(),
    () => abort.abort(),
  );
  try {
    return await fn({ drain: drain.signal, abort: abort.signal });
  } finally {
    removeSignals();
  }
}
