export const ExitCode = {
  Ok: 0,
  TasksFailed: 1,
  Usage: 2,
  /** A bug in refactor-swarm itself (an error we did not anticipate). */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
