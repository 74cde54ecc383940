import { readFileSync } from "node:fs";
import type { EventEnvelope, SwarmEvent, SwarmEventOf, SwarmEventType } from "../../src/events/types.js";

// Loads recorded event logs (fixtures/events/*.jsonl) for reporter and dashboard tests, and checks
// them against src/events/types.ts. The field table below is type-checked against the union: add
// an event type or a required field there and this file stops compiling until the table follows.

type Payload<K extends SwarmEventType> = Omit<SwarmEventOf<K>, keyof EventEnvelope | "type">;
type RequiredKeys<T> = { [F in keyof T]-?: object extends Pick<T, F> ? never : F }[keyof T];
type KindOf<T> = [T] extends [string]
  ? "string"
  : [T] extends [number]
    ? "number"
    : [T] extends [boolean]
      ? "boolean"
      : [T] extends [readonly unknown[]]
        ? "array"
        : [T] extends [string | null]
          ? "string|null"
          : [T] extends [object]
            ? "object"
            : [T] extends [object | null]
              ? "object|null"
              : never;
type FieldTable = { [K in SwarmEventType]: { [F in RequiredKeys<Payload<K>>]: KindOf<Payload<K>[F]> } };

export const EVENT_FIELDS: FieldTable = {
  "run.started": {
    repo: "string",
    branch: "string|null",
    roles: "array",
    tasks: "number",
    files: "number",
    skipped: "number",
    concurrency: "number",
    model: "string",
    estimate: "object|null",
    resumed: "boolean",
    alreadyDone: "number",
  },
  "task.queued": { taskId: "string", role: "string", file: "string" },
  "task.started": { taskId: "string", role: "string", file: "string" },
  "step.started": { taskId: "string", kind: "string", attempt: "number", model: "string" },
  "step.retry": { taskId: "string", kind: "string", attempt: "number", error: "object", delayMs: "number" },
  "step.finished": {
    taskId: "string",
    kind: "string",
    attempt: "number",
    ok: "boolean",
    usage: "object",
    costUSD: "number",
    latencyMs: "number",
  },
  "task.finished": {
    taskId: "string",
    role: "string",
    file: "string",
    output: "string",
    attempts: "number",
    usage: "object",
    latencyMs: "number",
    wallMs: "number",
    changed: "boolean",
  },
  "task.failed": { taskId: "string", role: "string", file: "string", output: "string", attempts: "number", error: "object" },
  "limit.changed": { limit: "number", max: "number", reason: "string" },
  "validate.started": { files: "number" },
  "validate.problem": { problem: "object" },
  "validate.repair": { taskId: "string", file: "string", round: "number", problems: "array", fixed: "boolean" },
  "validate.revert": { taskId: "string", file: "string", problems: "array" },
  "validate.finished": { problems: "number", repaired: "number", reverted: "number" },
  "budget.warning": { budget: "string", used: "number", limit: "number" },
  "budget.exhausted": { budget: "string", used: "number", limit: "number" },
  "run.draining": { reason: "string" },
  "run.aborting": { reason: "string" },
  "commit.created": { branch: "string", role: "string", sha: "string", files: "array" },
  "run.finished": { summary: "object" },
  "run.warning": { message: "string" },
};

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as SwarmEventType[];

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function matches(value: unknown, kind: string): boolean {
  return kind.split("|").includes(kindOf(value));
}

/** Checks one parsed value is a well-formed SwarmEvent; throws naming the field otherwise. */
export function assertSwarmEvent(value: unknown, where = "event"): asserts value is SwarmEvent {
  if (typeof value !== "object" || value === null) throw new Error(`${where}: expected an object`);
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== "string" || !(type in EVENT_FIELDS)) throw new Error(`${where}: unknown event type ${JSON.stringify(type)}`);
  const envelope = { seq: "number", t: "number", runId: "string" };
  const fields: Record<string, string> = { ...envelope, ...EVENT_FIELDS[type as SwarmEventType] };
  for (const [field, kind] of Object.entries(fields)) {
    if (!(field in record)) throw new Error(`${where} (${type}): missing ${field}`);
    if (!matches(record[field], kind)) throw new Error(`${where} (${type}): ${field} should be ${kind}, got ${kindOf(record[field])}`);
  }
}

/**
 * Parses NDJSON into events: every line a known, complete event; seq increasing by one from 1;
 * t never going back; one runId throughout.
 */
export function parseEventLog(text: string): SwarmEvent[] {
  const events: SwarmEvent[] = [];
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .forEach((line, i) => {
      const where = `line ${i + 1}`;
      const value: unknown = JSON.parse(line);
      assertSwarmEvent(value, where);
      const previous = events.at(-1);
      if (value.seq !== (previous?.seq ?? 0) + 1) throw new Error(`${where}: seq ${value.seq} after ${previous?.seq ?? 0}`);
      if (previous && value.t < previous.t) throw new Error(`${where}: t went back from ${previous.t} to ${value.t}`);
      if (previous && value.runId !== previous.runId) throw new Error(`${where}: runId changed`);
      events.push(value);
    });
  return events;
}

export function loadEventLog(path: string | URL): SwarmEvent[] {
  return parseEventLog(readFileSync(path, "utf8"));
}

/** fixtures/events/<name>.jsonl */
export function loadEventFixture(name: string): SwarmEvent[] {
  return loadEventLog(new URL(`../../fixtures/events/${name}.jsonl`, import.meta.url));
}
