import { simpleGit, type SimpleGit } from "simple-git";

export type { SimpleGit };

/**
 * The one place a simple-git instance is made.
 *
 * - simple-git already strips ambient `GIT_*` variables (GIT_DIR, GIT_INDEX_FILE, … as set inside a
 *   git hook), so a swarm started from a hook cannot be redirected into the user's index.
 * - `config` becomes `-c key=value` on every command. We only ever pass our own constant values,
 *   so the two unsafe switches below are safe: they let us *disable* the user's hooks and fsmonitor.
 */
export function gitAt(dir: string, config: readonly string[] = []): SimpleGit {
  return simpleGit({
    baseDir: dir,
    config: [...config],
    maxConcurrentProcesses: 4,
    unsafe: { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true },
    // simple-git only fails a command that exits non-zero *and* wrote to stderr; quiet probes such as
    // `rev-parse --verify --quiet` or `check-ref-format` would pass. Any non-zero exit is a failure.
    errors(error, result) {
      if (error || result.exitCode === 0) return error;
      const output = Buffer.concat([...result.stdErr, ...result.stdOut]);
      return output.length > 0 ? output : Buffer.from(`git exited with code ${result.exitCode}`);
    },
  });
}

/** First non-empty line of a git error (simple-git puts git's stderr in the message). */
export function gitErrorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  return (line ?? "unknown git error").replace(/^(fatal|error): /, "");
}

/** Runs a git command; `null` when git exits non-zero (for probes such as `rev-parse --verify`). */
export async function tryGit(git: SimpleGit, args: string[]): Promise<string | null> {
  try {
    return await git.raw(args);
  } catch {
    return null;
  }
}
