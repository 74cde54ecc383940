// Pure: the makespan lower bound of a finished run, from the server's own log.
import type { RequestLog } from "../test/support/loopback-server.js";

export interface DagTask {
  id: string;
  role: string;
  file: string;
  dependsOn: string[];
}

export interface MakespanFigures {
  /** First arrival to last finish of any chat request, server clock. */
  makespanMs: number;
  /** Longest dependency chain, each task weighted by the server-side time of its requests. */
  criticalPathMs: number;
  /** Server-side time of every admitted request, summed. */
  workMs: number;
  /** max(criticalPath, work ÷ concurrency): no scheduler can finish sooner. */
  idealMs: number;
}

export function makespanOf(requests: readonly RequestLog[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const r of requests) {
    first = Math.min(first, r.arrivedAt);
    last = Math.max(last, r.finishedAt ?? r.arrivedAt);
  }
  return requests.length === 0 ? 0 : last - first;
}

/** Server-side time per `role|file`, admitted requests only (a 429 at the door costs the server nothing). */
function workByTask(requests: readonly RequestLog[]): Map<string, number> {
  const work = new Map<string, number>();
  for (const r of requests) {
    if (!r.isAdmitted || r.latencyMs === undefined) continue;
    const key = `${r.role}|${r.file}`;
    work.set(key, (work.get(key) ?? 0) + r.latencyMs);
  }
  return work;
}

export function idealMakespan(tasks: readonly DagTask[], requests: readonly RequestLog[], concurrency: number): MakespanFigures {
  const work = workByTask(requests);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const finish = new Map<string, number>();
  const finishOf = (id: string): number => {
    const known = finish.get(id);
    if (known !== undefined) return known;
    const t = byId.get(id)!;
    let start = 0;
    for (const d of t.dependsOn) start = Math.max(start, finishOf(d));
    const f = start + (work.get(`${t.role}|${t.file}`) ?? 0);
    finish.set(id, f);
    return f;
  };
  let criticalPathMs = 0;
  for (const t of tasks) criticalPathMs = Math.max(criticalPathMs, finishOf(t.id));
  let workMs = 0;
  for (const w of work.values()) workMs += w;
  return { makespanMs: makespanOf(requests), criticalPathMs, workMs, idealMs: Math.max(criticalPathMs, workMs / concurrency) };
}

/** Average number of admitted requests in flight over the run's makespan. */
export function averageAdmittedInFlight(requests: readonly RequestLog[]): number {
  const makespan = makespanOf(requests);
  if (makespan <= 0) return 0;
  let busy = 0;
  for (const r of requests) if (r.isAdmitted && r.latencyMs !== undefined) busy += r.latencyMs;
  return busy / makespan;
}
