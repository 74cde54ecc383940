import { providerFromEnv } from "./provider.js";
import { runSwarm } from "../../pipeline.js";
import { selectReporters } from "../../reporters/select.js";
import type { RunFlags } from "../program.js";
import type { CliIO } from "./index.js";
import { prepareOptions } from "./options.js";
import { withStopSignals } from "./stop-signals.js";

export function runCommand(repo: string, flags: RunFlags, io: CliIO): Promise<void> {
  return execute(repo, flags, io, undefined);
}

export function resumeCommand(runId: string, repo: string, flags: RunFlags, io: CliIO): Promise<void> {
  return execute(repo, flags, io, runId);
}

async function execute(repo: string, flags: RunFlags, io: CliIO, resume: string | undefined): Promise<void> {
  const reporters = await selectReporters({ json: flags.json === true, stdout: io.stdout, stderr: io.stderr, env: io.env });
  try {
    const summary = await withStopSignals(io, (signals) => runSwarm({
      ...prepareOptions(repo, flags, true, io.cwd),
      ...(flags.branch === undefined ? {} : { branch: flags.branch }),
      ...(resume === undefined ? {} : { resume }),
      providerFor: providerFromEnv(io.env, "swarm estimate needs no key and shows what a run would cost"),
      subscribers: reporters.map((r) => (event) => r.onEvent(event)),
      ...signals,
    }));
    io.exitCode.value = summary.exitCode;
  } finally {
    for (const r of reporters) await r.close();
  }
}
