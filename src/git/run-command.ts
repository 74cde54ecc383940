// The one place the user's own gate commands are spawned: a shell command in a given folder, with a time
// limit, an output cap and an environment without the API key.
import { spawn } from "node:child_process";

export type CommandStatus = "passed" | "failed" | "timed-out" | "not-found" | "crashed";

export interface CommandOutcome {
  status: CommandStatus;
  exitCode: number | null;
  /** stdout and stderr interleaved, at most `maxOutputBytes`. */
  output: string;
  truncated: boolean;
  ms: number;
}

export interface RunCommandOptions {
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Environment variables removed before the command starts (the provider's API key). */
  removeEnv: readonly string[];
}

/** Exit code a POSIX shell gives a command it could not find. */
const NOT_FOUND = 127;

export function runCommand(command: string, options: RunCommandOptions): Promise<CommandOutcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "1", NO_COLOR: "1", FORCE_COLOR: "0" };
  for (const name of options.removeEnv) delete env[name];
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let timedOut = false;
    const child = spawn(command, { cwd: options.cwd, env, shell: true, detached: process.platform !== "win32", stdio: ["ignore", "pipe", "pipe"] });
    const take = (chunk: Buffer) => {
      if (size >= options.maxOutputBytes) return void (truncated = true);
      const room = options.maxOutputBytes - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      if (chunk.length > room) truncated = true;
      size += Math.min(chunk.length, room);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const killGroup = () => {
      try {
        // The shell's children (test workers) go with it: the command runs in its own process group.
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const finish = (exitCode: number | null, crashed: boolean) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString("utf8");
      const ms = Math.round(performance.now() - started);
      let status: CommandStatus;
      if (timedOut) status = "timed-out";
      else if (crashed) status = "crashed";
      else if (exitCode === 0) status = "passed";
      else if (exitCode === NOT_FOUND) status = "not-found";
      else if (exitCode === null) status = "crashed";
      else status = "failed";
      resolve({ status, exitCode, output, truncated, ms });
    };
    child.on("error", () => finish(null, true));
    child.on("close", (code) => finish(code, false));
  });
}
