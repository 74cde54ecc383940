import type { SwarmEvent } from "../events/index.js";

/**
 * A view over the event stream. `onEvent` is called synchronously by the EventBus and must be cheap
 * and must not throw for ordinary input (a throwing reporter is dropped for the rest of the run).
 * `close` flushes whatever the reporter buffered (files, summaries) after `run.finished`.
 */
export interface Reporter {
  onEvent(event: SwarmEvent): void;
  close(): Promise<void>;
}

/** The one thing reporters need of a stream: stdout, stderr, or a test buffer. */
export interface TextSink {
  write(text: string): unknown;
}
