// The one git runner: every git process swarm starts goes through this file, so they all share one
// environment (gitEnv) and one reading of git's failures (gitError / knownGitFailure).
//
// Two ways to run git, both here:
// - simple-git (gitAt) for commands whose output is a little text: preflight probes, worktree, commits.
// - plain child processes (runGit, streamGit) where we need raw bytes: NUL-separated listings and blob
//   contents streamed through one long-lived `git cat-file --batch`, which simple-git cannot stream and
//   whose text-oriented API would add a decode/split round trip per call.
import { execFile, spawn } from "node:child_process";
import { simpleGit, type SimpleGit } from "simple-git";
import { SwarmError, SwarmErrorCode } from "../core/index.js";

export type { SimpleGit };

// Variables that make git run another program or read another config even without a GIT_ prefix;
// simple-git refuses these too, so passing them would fail every simple-git command.
const NON_PREFIXED_UNSAFE = new Set(["editor", "visual", "pager", "prefix", "ssh_askpass"]);
/** The one variable we set that simple-git guards; it only relaxes locking (see gitEnv). */
const ALLOWED_GIT_VARIABLES = ["GIT_OPTIONAL_LOCKS"];
const MAX_OUTPUT_BYTES = 1024 * 1024 * 1024;

/**
 * The environment of every git process, read fresh each call (tests and callers may change HOME).
 * - Ambient `GIT_*` variables are dropped: GIT_DIR, GIT_INDEX_FILE, ... are set when swarm runs inside a
 *   git hook and would point our commands at another repository or index.
 * - LC_ALL=C keeps the messages {@link knownGitFailure} matches in English.
 * - GIT_OPTIONAL_LOCKS=0 stops `git status` from taking index.lock to refresh the index, so a scan never
 *   races the user's own git commands.
 */
function gitEnv(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => {
    const lower = key.toLowerCase().trim();
    return !lower.startsWith("git_") && !NON_PREFIXED_UNSAFE.has(lower);
  });
  return { ...Object.fromEntries(kept), LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" };
}

/**
 * A simple-git instance at `dir`, running with {@link gitEnv}.
 *
 * `config` becomes `-c key=value` on every command. We only ever pass our own constant values, so the
 * two unsafe switches below are safe: they let us *disable* the user's hooks and fsmonitor.
 */
export function gitAt(dir: string, config: readonly string[] = []): SimpleGit {
  return simpleGit({
    baseDir: dir,
    config: [...config],
    maxConcurrentProcesses: 4,
    allowEnvironment: ALLOWED_GIT_VARIABLES,
    unsafe: { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true },
    // simple-git only fails a command that exits non-zero *and* wrote to stderr; quiet probes such as
    // `rev-parse --verify --quiet` or `check-ref-format` would pass. Any non-zero exit is a failure.
    errors(error, result) {
      if (error || result.exitCode === 0) return error;
      const output = Buffer.concat([...result.stdErr, ...result.stdOut]);
      return output.length > 0 ? output : Buffer.from(`git exited with code ${result.exitCode}`);
    },
  }).env(gitEnv());
}

/** Runs a git command through simple-git; `null` when git exits non-zero (for probes such as `rev-parse --verify`). */
export async function tryGit(git: SimpleGit, args: string[]): Promise<string | null> {
  try {
    return await git.raw(args);
  } catch {
    return null;
  }
}

/** Runs one git command and returns its stdout bytes; a failure comes back through {@link gitError}. */
export function runGit(repo: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd: repo, env: gitEnv(), encoding: "buffer", maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) reject(gitError(repo, args, error, stderr.toString("utf8")));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Runs one git command with `input` on stdin and hands stdout to `onStdout` chunk by chunk as it arrives
 * (for `cat-file --batch`, whose output can be far larger than we want to hold twice). A throw from
 * `onStdout` stops git and rejects with that error; a git failure comes back through {@link gitError}.
 */
export function streamGit(repo: string, args: readonly string[], input: string, onStdout: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: repo, env: gitEnv(), windowsHide: true });
    const stderr: Buffer[] = [];
    let failure: Error | undefined;

    child.stdout.on("data", (chunk: Buffer) => {
      if (failure) return;
      try {
        onStdout(chunk);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        child.kill();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // git exiting early closes the pipe; the exit code below carries the real cause.
    child.stdin.on("error", () => {});
    child.on("error", (error) => {
      failure ??= gitError(repo, args, error, "");
    });
    child.on("close", (code) => {
      if (failure) return reject(failure);
      if (code !== 0) {
        const error = Object.assign(new Error(`exit code ${code}`), { code });
        return reject(gitError(repo, args, error, Buffer.concat(stderr).toString("utf8")));
      }
      resolve();
    });

    child.stdin.end(input);
  });
}

/**
 * The failures a user can cause, read from git's stderr (or simple-git's message, which carries it):
 * a {@link SwarmError} with a hint, or `null` when the failure is not one of them.
 */
export function knownGitFailure(repo: string, error: unknown, stderr = messageOf(error)): SwarmError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT" || /\bspawn git ENOENT\b/.test(stderr)) {
    return new SwarmError(SwarmErrorCode.GitNotFound, "git is not installed or not on PATH", {
      hint: "install git 2.17 or newer",
      cause: error,
    });
  }
  if (/dubious ownership/i.test(stderr)) {
    return new SwarmError(SwarmErrorCode.NotARepo, `git refuses to open ${repo}: it is owned by another user`, {
      hint: `if you trust it: git config --global --add safe.directory '${repo}'`,
      cause: error,
    });
  }
  if (/not a git repository/i.test(stderr)) {
    return new SwarmError(SwarmErrorCode.NotARepo, `not a git repository: ${repo}`, {
      hint: "run swarm inside a git working tree, or pass its path",
      cause: error,
    });
  }
  if (/unknown revision|not a valid object name|bad revision|ambiguous argument 'HEAD'|does not have any commits|needed a single revision/i.test(stderr)) {
    return new SwarmError(SwarmErrorCode.NoCommits, `repository has no commits yet: ${repo}`, {
      hint: "commit your files first; swarm branches from HEAD",
      cause: error,
    });
  }
  return null;
}

/** A failed git command as an Error: a known failure (see {@link knownGitFailure}) or git's first line. */
function gitError(repo: string, args: readonly string[], error: unknown, stderr = messageOf(error)): Error {
  const known = knownGitFailure(repo, error, stderr);
  if (known) return known;
  const line = firstLine(stderr) ?? firstLine(messageOf(error)) ?? "unknown git error";
  return new Error(`git ${args.join(" ")} failed in ${repo}: ${line}`, { cause: error });
}

/** First non-empty line of a git error without its `fatal:`/`error:` prefix (simple-git puts git's stderr in the message). */
export function gitErrorLine(error: unknown): string {
  return firstLine(messageOf(error)) ?? "unknown git error";
}

function firstLine(text: string): string | undefined {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "");
  return line?.replace(/^(fatal|error): /, "");
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
