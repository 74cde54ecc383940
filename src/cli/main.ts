import { readFileSync } from "node:fs";
import { CommanderError } from "commander";
import { ExitCode, SwarmError } from "../core/index.js";
import { createRedactor } from "../util/index.js";
import { buildProgram } from "./program.js";
import { createCommands } from "./commands/index.js";
import type { CliIO } from "./io.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** Composition root and the only place that turns outcomes into an exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const program = buildProgram(createCommands(io), pkg.version).exitOverride();
  // Subcommands do not inherit exitOverride: without it a bad option there would exit 1, not 2.
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return io.exitCode.value;
  } catch (error) {
    return exitCodeOf(error, io);
  }
}

function exitCodeOf(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version" ? ExitCode.Ok : ExitCode.Usage;
  }
  if (error instanceof SwarmError) {
    io.stderr.write(`swarm: ${io.redact(error.message)}\n`);
    if (error.hint) io.stderr.write(`hint: ${io.redact(error.hint)}\n`);
    const cause = causeLine(error);
    if (cause) io.stderr.write(`cause: ${io.redact(cause)}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(
    `swarm: internal error — this is a bug in refactor-swarm ${pkg.version} (node ${process.version}); please report it with the lines below\n${io.redact(detail)}\n`,
  );
  return ExitCode.Internal;
}

/** What went wrong underneath (git's or the system's own words), unless the message already says it. */
function causeLine(error: SwarmError): string | undefined {
  if (error.cause === undefined) return undefined;
  const text = error.cause instanceof Error ? error.cause.message : String(error.cause);
  const line = text.split("\n").map((l) => l.trim()).find((l) => l !== "");
  return line === undefined || error.message.includes(line) ? undefined : line;
}

const isEntry = process.argv[1] !== undefined && /(?:swarm(?:\.js)?|main\.[jt]s)$/.test(process.argv[1]);
if (isEntry) {
  // bin/swarm.js may have written "swarm: starting…" on this row while the modules loaded.
  if ((globalThis as Record<symbol, unknown>)[Symbol.for("refactor-swarm.startingRow")] === true) process.stderr.write("\r\x1b[K");
  // `swarm plan | head`: the reader left, so there is no one to tell; stop quietly as other CLIs do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    exitCode: { value: 0 },
    redact: createRedactor(process.env),
    installSignals: (onFirst, onSecond) => {
      let count = 0;
      const handler = () => {
        count++;
        if (count === 1) onFirst();
        else if (count === 2) onSecond();
        // A third signal means the user is done waiting for the abort to unwind.
        else process.exit(130);
      };
      process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
      };
    },
  };
  main(process.argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`swarm: internal error: ${String(error)}\n`);
      process.exitCode = ExitCode.Internal;
    },
  );
}
