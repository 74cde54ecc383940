import { statSync } from "node:fs";
import path from "node:path";
import { usageError } from "../../core/index.js";
import { providerFromEnv } from "./provider.js";
import type { SwarmEvent } from "../../events/index.js";
import { runMerge } from "../../merge.js";
import { runSwarm } from "../../pipeline.js";
import type { MergeFlags, RunFlags } from "../program.js";
import type { CliIO } from "../io.js";
import { selectReporters } from "../select-reporters.js";
import { prepareOptions } from "./options.js";
import { withStopSignals } from "./stop-signals.js";

export function runCommand(repo: string, flags: RunFlags, io: CliIO): Promise<void> {
  if (flags.bundleOut !== undefined && flags.shard === undefined) throw usageError("--bundle-out needs --shard k/n", "e.g. swarm run --shard 1/4 --bundle-out shard-1.swarm");
  if (flags.bundleOut !== undefined) assertFileTarget("--bundle-out", path.resolve(io.cwd, flags.bundleOut));
  return execute(repo, flags, io, undefined);
}

/** The shard file is written when the shard has run and paid: a path it cannot go to is said before any request. */
function assertFileTarget(flag: string, file: string): void {
  const isFolder = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory();
  if (isFolder(file)) throw usageError(`${flag} ${file} is a folder`, "name the file to write, e.g. shard-1.swarm");
  if (isFolder(path.dirname(file)) !== true) throw usageError(`${flag} ${file}: the folder ${path.dirname(file)} does not exist`, "create it first, or write the file elsewhere");
}

/** `swarm merge`: the same reporters, provider and stop signals as a run; the shard files name the run. */
export function mergeCommand(files: string[], flags: MergeFlags, io: CliIO): Promise<void> {
  return execute(flags.repo, flags, io, undefined, (options) => runMerge({ ...options, bundles: files.map((f) => path.resolve(io.cwd, f)), allowPartial: flags.allowPartial === true }));
}

export function resumeCommand(runId: string, repo: string, flags: RunFlags, io: CliIO): Promise<void> {
  return execute(repo, flags, io, runId);
}

async function execute(repo: string, flags: RunFlags, io: CliIO, resume: string | undefined, start: typeof runSwarm = runSwarm): Promise<void> {
  const reporters = await selectReporters({ json: flags.json === true, reporters: flags.reporter, stdout: io.stdout, stderr: io.stderr, env: io.env });
  // The bus turns a throwing reporter off and tells the others; when the one that failed is the main
  // output, no other shows the warning, so it goes to stderr once the run is over.
  let mainFailure: unknown;
  const subscribers = reporters.map((r, i) => (event: SwarmEvent) => {
    try {
      r.onEvent(event);
    } catch (error) {
      if (i === 0) mainFailure = error;
      throw error;
    }
  });
  try {
    const summary = await withStopSignals(io, (signals) => start({
      ...prepareOptions(repo, flags, true, io.cwd),
      ...(flags.shard === undefined ? {} : { shard: flags.shard }),
      ...(flags.bundleOut === undefined ? {} : { bundleOut: path.resolve(io.cwd, flags.bundleOut) }),
      ...(flags.branch === undefined ? {} : { branch: flags.branch }),
      ...(resume === undefined ? {} : { resume }),
      providerFor: providerFromEnv(io.env, "swarm estimate needs no key and shows what a run would cost", { allowInsecureHttp: flags.allowInsecureHttp }),
      subscribers,
      ...signals,
    }));
    io.exitCode.value = summary.exitCode;
  } finally {
    for (const r of reporters) await r.close();
    if (mainFailure !== undefined) io.stderr.write(`warning: the output failed and was turned off during the run: ${io.redact(String(mainFailure))}\n`);
  }
}
