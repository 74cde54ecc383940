import { runSample } from "../../pipeline.js";
import { estimateShards, prepareRun } from "../../prepare/index.js";
import { renderEstimate, renderSampleEstimate } from "../../report/index.js";
import { formatDuration, formatTokens, formatUSD, printable } from "../../util/index.js";
import type { EstimateFlags } from "../program.js";
import type { CliIO } from "../io.js";
import { prepareOptions } from "./options.js";
import { phaseStatus } from "./phase-status.js";
import { withStopSignals } from "./stop-signals.js";
import { providerFromEnv } from "./provider.js";

/**
 * The static estimate never builds a provider: it sends no request and needs no API key.
 * `--sample N` is the exception: it runs N tasks for real (key needed, requests billed) and keeps
 * their answers in a run directory that `swarm run --from-sample` continues.
 */
export async function estimateCommand(repo: string, flags: EstimateFlags, io: CliIO): Promise<void> {
  if (flags.sample !== undefined) return sampleCommand(repo, flags, flags.sample, io);
  // The prompts need the graph, not the checks' compiler: nothing is validated here.
  const status = phaseStatus(io.stderr, io.env);
  status?.phase("scanning");
  // On a terminal the status line shows the count; elsewhere a line a second after the first second (issue 16).
  const hooks = status ? { onPhase: (p: "graph" | "estimating", n: number) => status.phase(p, n), onEstimateProgress: (done: number, total: number) => status.progress(done, total) } : { onEstimateProgress: progressLine(io) };
  const prepared = await prepareRun({ ...prepareOptions(repo, flags, true, io.cwd), needsBaseline: "graph", ...hooks }).finally(() => status?.stop());
  for (const w of prepared.scan.warnings) io.stderr.write(`warning: ${printable(w)}\n`);
  const { estimate, plan, config } = prepared;
  if (flags.shards !== undefined) return shardsEstimate(estimateShards(prepared, flags.shards), flags.json === true, io);
  if (flags.json) {
    io.stdout.write(JSON.stringify({ repo: prepared.repo.top, headSha: prepared.repo.headSha, tasks: plan.tasks.length, files: plan.files.length, skipped: plan.skips.length, concurrency: config.concurrency, model: config.provider.model, estimate: publicEstimate(estimate) }, null, 2) + "\n");
    return;
  }
  io.stdout.write(renderEstimate({ repo: prepared.repo.path, plan, estimate, concurrency: config.concurrency, assumedLatencyMs: config.estimate.assumedLatencyMs, model: config.provider.model }));
}

async function sampleCommand(repo: string, flags: EstimateFlags, size: number, io: CliIO): Promise<void> {
  const status = phaseStatus(io.stderr, io.env);
  status?.phase("scanning");
  const result = await withStopSignals(io, (signals) =>
    runSample({
      ...prepareOptions(repo, flags, true, io.cwd),
      ...(flags.branch === undefined ? {} : { branch: flags.branch }),
      size,
      providerFor: providerFromEnv(io.env, "swarm estimate without --sample needs no key and sends no request", { allowInsecureHttp: flags.allowInsecureHttp }),
      subscribers: [
        (event) => {
          if (event.type === "run.phase") status?.phase(event.phase, event.count);
          // A warning takes its own row: the status row is cleared first and comes back on the next phase or tick.
          else if (event.type === "run.warning") io.stderr.write(`${status ? "\r\x1b[K" : ""}warning: ${printable(event.message)}\n`);
        },
      ],
      ...signals,
    }),
  ).finally(() => status?.stop());
  const { prepared } = result;
  for (const w of prepared.scan.warnings) io.stderr.write(`warning: ${printable(w)}\n`);
  if (flags.json) {
    io.stdout.write(
      JSON.stringify(
        {
          repo: prepared.repo.top,
          headSha: prepared.repo.headSha,
          tasks: prepared.plan.tasks.length,
          model: prepared.config.provider.model,
          estimate: publicEstimate(prepared.estimate),
          sample: { runId: result.runId, runDir: result.paths.dir, stoppedBy: result.stoppedBy, selection: result.selection, extrapolation: result.extrapolation },
        },
        null,
        2,
      ) + "\n",
    );
    return;
  }
  io.stdout.write(
    renderSampleEstimate({
      repo: prepared.repo.path,
      repoArg: repo,
      plan: prepared.plan,
      estimate: prepared.estimate,
      model: prepared.config.provider.model,
      runId: result.runId,
      runDir: result.paths.dir,
      stoppedBy: result.stoppedBy,
      selection: result.selection,
      extrapolation: result.extrapolation,
    }),
  );
}

/** The estimate without its per-task maps: they are for the engine and calibration, not for readers. */
function publicEstimate<T extends { perTaskReserveUSD?: unknown; perTaskUncalibrated?: unknown }>(estimate: T) {
  const { perTaskReserveUSD: _reserve, perTaskUncalibrated: _raw, ...rest } = estimate;
  return rest;
}

/** `estimate --shards n`: one line per shard; the run's wall time is the slowest shard's plus the merge. */
function shardsEstimate(shards: ReturnType<typeof estimateShards>, json: boolean, io: CliIO): void {
  if (json) return void io.stdout.write(JSON.stringify({ shards }, null, 2) + "\n");
  for (const s of shards) io.stdout.write(`shard ${s.shard}/${s.count}: ${s.tasks} tasks, ${s.files} files, ~${formatTokens(s.tokens)} tokens, ${formatUSD(s.costUSD)}, ~${formatDuration(s.wallMs)}\n`);
  const slowest = Math.max(...shards.map((s) => s.wallMs));
  io.stdout.write(`total ${formatUSD(shards.reduce((sum, s) => sum + s.costUSD, 0))}; wall time ~${formatDuration(slowest)} (the slowest shard) plus the merge's validation\n`);
}

/**
 * Issue 16: a large estimate says it is working. The count is synchronous, so the line is written from the
 * estimate's own progress calls, not a timer: after 1 s, then at most once a second, on stderr.
 */
function progressLine(io: CliIO, now = () => performance.now()): (done: number, total: number) => void {
  const t0 = now();
  let last = t0;
  return (done, total) => {
    const t = now();
    if (t - t0 < 1000 || t - last < 1000 || done === total) return;
    last = t;
    io.stderr.write(`estimating: ${done} of ${total} prompts counted (${formatDuration(t - t0)})\n`);
  };
}
