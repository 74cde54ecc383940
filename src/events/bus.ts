import type { SwarmEvent, SwarmEventInput } from "./types.js";

export type Subscriber = (event: SwarmEvent) => void;

/**
 * Synchronous fan-out of engine events. A throwing subscriber is reported once and
 * skipped afterwards: a reporter bug must not kill a 300-agent run.
 */
export class EventBus {
  private seq = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly broken = new Set<Subscriber>();
  readonly errors: unknown[] = [];

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
    for (const fn of this.subscribers) {
      if (this.broken.has(fn)) continue;
      try {
        fn(event);
      } catch (error) {
        this.broken.add(fn);
        this.errors.push(error);
      }
    }
    return event;
  }
}
