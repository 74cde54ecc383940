import type { Handlers } from "../program.js";
import { planCommand } from "./plan.js";
import { estimateCommand } from "./estimate.js";
import { runCommand, resumeCommand } from "./run.js";
import { reportCommand } from "./report.js";
import { validateCommand } from "./validate.js";

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Everything a command touches outside itself; tests pass their own. */
export interface CliIO {
  stdout: Writable & NodeJS.WritableStream;
  stderr: Writable;
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Commands set this; main returns it. */
  exitCode: { value: number };
  redact(text: string): string;
  /** Returns a function that removes the handlers. */
  installSignals(onFirst: () => void, onSecond: () => void): () => void;
}

export function createCommands(io: CliIO): Handlers {
  return {
    plan: (repo, flags) => planCommand(repo, flags, io),
    estimate: (repo, flags) => estimateCommand(repo, flags, io),
    run: (repo, flags) => runCommand(repo, flags, io),
    resume: (runId, repo, flags) => resumeCommand(runId, repo, flags, io),
    report: (runId, repo, flags) => reportCommand(runId, repo, flags, io),
    validate: (repo, flags) => validateCommand(repo, flags, io),
  };
}
