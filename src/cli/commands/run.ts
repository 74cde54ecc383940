import { providerFromEnv } from "./provider.js";
import { runSwarm } from "../../pipeline.js";
import { selectReporters } from "../../reporters/select.js";
import type { RunFlags } from "../program.js";
import type { CliIO } from "./index.js";
import { prepareOptions } from "./options.js";

export function runCommand(repo: string, flags: RunFlags, io: CliIO): Promise<void> {
  return execute(repo, flags, io, undefined);
}

export function resumeCommand(runId: string, repo: string, flags: RunFlags, io: CliIO): Promise<void> {
  return execute(repo, flags, io, runId);
}

async function execute(repo: string, flags: RunFlags, io: CliIO, resume: string | undefined): Promise<void> {
  const drain = new AbortController();
  const abort = new AbortController();
  const reporters = await selectReporters({ json: flags.json === true, stdout: io.stdout, stderr: io.stderr, env: io.env });
  const removeSignals = io.installSignals(
    () => drain.abort(),
    () => abort.abort(),
  );
  try {
    const summary = await runSwarm({
      ...prepareOptions(repo, flags, true, io.cwd),
      ...(flags.branch === undefined ? {} : { branch: flags.branch }),
      ...(resume === undefined ? {} : { resume }),
      providerFor: providerFromEnv(io.env, "swarm estimate needs no key and shows what a run would cost"),
      subscribers: reporters.map((r) => (event) => r.onEvent(event)),
      drain: drain.signal,
      abort: abort.signal,
    });
    io.exitCode.value = summary.exitCode;
  } finally {
    removeSignals();
    for (const r of reporters) await r.close();
  }
}
