import type { StoppedBy, TaskId, TaskResult } from "./types.js";

export const ExitCode = {
  Ok: 0,
  TasksFailed: 1,
  Usage: 2,
  /** A bug in refactor-swarm itself (an error we did not anticipate). */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A run's exit code: a rejected key is the user's to fix; failed tasks count against the tolerance. */
export function exitCodeFor(stoppedBy: StoppedBy, results: ReadonlyMap<TaskId, TaskResult>, maxFailureRate: number): ExitCode {
  if (stoppedBy === "auth") return ExitCode.Usage;
  const all = [...results.values()];
  // A task that never ran (interrupt, budget) is work not done, not a failure the tolerance forgives:
  // CI must not take a partial run for a pass.
  if (all.some((r) => r.status === "not-run")) return ExitCode.TasksFailed;
  const failed = all.filter((r) => r.status === "failed").length;
  if (failed === 0) return ExitCode.Ok;
  return failed / all.length <= maxFailureRate ? ExitCode.Ok : ExitCode.TasksFailed;
}
