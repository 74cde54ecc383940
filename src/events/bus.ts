import type { SwarmEvent, SwarmEventInput } from "./types.js";

export type Subscriber = (event: SwarmEvent) => void;

/**
 * Synchronous fan-out of engine events. A throwing subscriber is skipped afterwards and its error
 * is told once, as a `run.warning` to the others: a reporter bug must not kill a 300-agent run,
 * nor pass unnoticed.
 */
export class EventBus {
  private seq = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly broken = new Set<Subscriber>();

  private readonly runId: string;
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(runId: string, now: () => number = () => Date.now()) {
    this.runId = runId;
    this.now = now;
    this.startedAt = now();
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  emit(input: SwarmEventInput): SwarmEvent {
    const event = { ...input, seq: ++this.seq, t: this.now() - this.startedAt, runId: this.runId } as SwarmEvent;
    const failures: unknown[] = [];
    for (const fn of this.subscribers) {
      if (this.broken.has(fn)) continue;
      try {
        fn(event);
      } catch (error) {
        this.broken.add(fn);
        failures.push(error);
      }
    }
    // After the fan-out, so every subscriber still sees events in seq order.
    for (const error of failures) {
      this.emit({ type: "run.warning", message: `an output reporter failed and was turned off for the rest of the run: ${describe(error)}` });
    }
    return event;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
