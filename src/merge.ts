import { codemodCommit, codemodExtra, codemodSummary, settleCodemod } from "./codemod/index.js";
import { exitCodeFor, SwarmError, SwarmErrorCode, type Plan, type StepRecord, type StoppedBy, type TaskId, type TaskResult } from "./core/index.js";
import type { RunSummary } from "./events/index.js";
import { countTokens } from "./estimate/index.js";
import { commitResults, readHeadFiles, unbundle } from "./git/index.js";
import { preflight } from "./llm/index.js";
import { diskFullError, openRun, startRunDir, type OpenRun, type RunOptions } from "./open-run.js";
import { answerLimits, costOf, isChange, repairRequest } from "./prepare/index.js";
import { buildReport, summaryFromReport, writeReport, type Report, type ReportShard } from "./report/index.js";
import { Journal, parseJournal, recordBranchTip } from "./run/index.js";
import { checkShardSet, planFingerprint, readShardFile, type ShardManifest } from "./shard/index.js";
import { runValidation } from "./validate/index.js";

export interface MergeOptions extends Omit<RunOptions, "resume"> {
  /** The files `swarm run --shard k/n --bundle-out` wrote. */
  bundles: string[];
  /** Merge what is there when shards are missing; the report names them. */
  allowPartial?: boolean;
}

/**
 * `swarm merge`: the shards' results, checked to be one run's, become one branch on HEAD the way a single run's
 * would: the union is validated across files (breaks between shards show up here, and are repaired or reverted),
 * committed per role, and reported with each shard's figures.
 */
export async function runMerge(options: MergeOptions): Promise<RunSummary> {
  const shards = await Promise.all(options.bundles.map(async (file) => ({ file, ...(await readShardFile(file)) })));
  const run = await openRun({ ...options, shard: undefined });
  return mergeOpened(run, options, shards).catch((error: unknown) => {
    throw diskFullError(error, run) ?? error;
  });
}

type ShardInput = { file: string; manifest: ShardManifest; bundle: Buffer | null };

async function mergeOpened(run: OpenRun, options: MergeOptions, shards: ShardInput[]): Promise<RunSummary> {
  const { prepared, bus, paths, runId, branch, top } = run;
  const { config, plan, instruction } = prepared;
  const count = shards[0]!.manifest.shard.count;
  const set = checkShardSet(shards, { fingerprint: planFingerprint({ headSha: prepared.repo.headSha, instruction, config, plan, count }), count });
  assertWhole(set, count, options.allowPartial === true);
  await preflight(run.provider, config);
  const startedAt = (await startRunDir(run, options)).startedAt;
  const t0 = performance.now();
  const union = await unionOf(top, plan, set.accepted.map((a) => shards.find((s) => s.file === a.file)!), set.missing);
  bus.emit({ type: "run.warning", message: `merging ${set.accepted.length} of ${count} shard(s)${set.missing.length ? `; missing: ${set.missing.join(", ")}` : ""}` });

  const journal = await Journal.open(paths.journal);
  const validated = await runValidation({
    baseline: prepared.baseline, config, plan, instruction, results: union.results, isMainPassComplete: union.stoppedBy === "completed", countTokens, isChange: isChange(prepared), extra: codemodExtra(prepared.codemod),
    engine: {
      provider: run.provider, bus, journal, settings: config, drain: options.drain, abort: options.abort, random: options.random, costUSD: costOf(prepared), answerLimits: answerLimits(prepared),
      spent: { steps: union.steps.length, costUSD: union.spentUSD }, prior: [], requestFor: (task, messages) => repairRequest(prepared, task, messages),
    },
  }).finally(() => journal.close());
  // The merge re-ran the shards' codemod to rebuild their plan: its files get their own commit and report section, as in one run.
  const { results, keepsExtra } = settleCodemod(prepared.codemod, plan, validated?.results ?? union.results, validated?.unownedBroken);
  const steps = validated ? [...union.steps, ...validated.steps] : union.steps;
  const written = await commitResults({ repo: prepared.repo, plan, files: prepared.files, results, branch, instruction, repaired: new Set(validated?.replaced.keys()), bus, codemod: codemodCommit(prepared.codemod, plan, keepsExtra),
    beforeBranch: (sha) => recordBranchTip(paths, branch, sha),
  });
  const report = buildReport({
    runId, repo: top, branch: written.branch, baseSha: prepared.repo.headSha, startedAt, durationMs: Math.round(performance.now() - t0), stoppedBy: union.stoppedBy, budget: null, instruction,
    models: [...new Set(steps.map((s) => s.model))], plan, results: [...results.values()], steps, estimate: prepared.estimate, costUSD: validated?.spentUSD ?? union.spentUSD,
    stepCostUSD: (step) => prepared.pricing.costUSD(step.model, step.usage), commits: written.commits, validation: validated?.validation ?? null, codemod: prepared.codemod && codemodSummary(prepared.codemod),
  });
  report.shards = { merged: union.figures, missing: set.missing };
  await writeReport(paths, report);
  const summary = summaryFromReport(report, paths, exitCodeFor(union.stoppedBy, results, config.maxFailureRate));
  bus.emit({ type: "run.finished", summary });
  if (written.lostBranch) throw written.lostBranch;
  return summary;
}

/** Foreign shards always stop the merge; missing ones unless --allow-partial. Exit 2, naming them. */
function assertWhole(set: ReturnType<typeof checkShardSet>, count: number, allowPartial: boolean): void {
  const foreign = set.foreign.map((f) => `${f.file}: ${f.reason}`);
  const missing = !allowPartial && set.missing.length > 0 ? [`missing shard(s) ${set.missing.map((k) => `${k}/${count}`).join(", ")}`] : [];
  if (foreign.length + missing.length === 0) return;
  throw new SwarmError(SwarmErrorCode.ShardSet, `cannot merge: ${[...missing, ...foreign].join("; ")}`, {
    hint: foreign.length > 0 ? "merge only the shard files of one run, in a checkout of the commit they ran on" : "pass every shard's file, or --allow-partial to merge what is there",
  });
}

/** The shards' task results as one run's: content from each shard's commit, the steps from its journal, missing shards' tasks not run. */
async function unionOf(top: string, plan: Plan, shards: ShardInput[], missing: number[]) {
  const results = new Map<TaskId, TaskResult>();
  const steps: StepRecord[] = [];
  const figures: ReportShard[] = [];
  let spentUSD = 0;
  let stoppedBy: StoppedBy = missing.length > 0 ? "interrupt" : "completed";
  for (const { file, manifest, bundle } of shards) {
    const report = manifest.report as Report;
    const tip = bundle && manifest.tip ? await unbundle(top, bundle, file) : null;
    const changed = report.tasks.filter((t) => t.status === "succeeded" && t.changed === true);
    const contents = tip ? await readHeadFiles(top, changed.map((t) => t.output), tip) : new Map<string, string>();
    for (const t of report.tasks) {
      const content = contents.get(t.output);
      results.set(t.id, { id: t.id, role: t.role, file: t.file, output: t.output, status: t.status === "succeeded" && t.changed === true && content === undefined ? "failed" : t.status, attempts: t.attempts, inputTokens: t.inputTokens, cachedInputTokens: t.cachedInputTokens, outputTokens: t.outputTokens, latencyMs: t.latencyMs, wallMs: t.wallMs, ...(t.error ? { error: t.error } : {}), ...(t.changed === null ? {} : { changed: t.changed }), ...(content === undefined ? {} : { content }) });
    }
    for (const record of parseJournal(manifest.journal, `${file} (journal)`).records) steps.push({ ...record, content: undefined });
    spentUSD += report.costUSD;
    if (report.stoppedBy !== "completed" && stoppedBy === "completed") stoppedBy = report.stoppedBy;
    figures.push({ ...manifest.shard, file, runId: manifest.runId, tasks: report.tasks.length, succeeded: report.counts.succeeded, costUSD: report.costUSD, durationMs: report.durationMs, stoppedBy: report.stoppedBy });
  }
  for (const task of plan.tasks) {
    if (results.has(task.id)) continue;
    results.set(task.id, { id: task.id, role: task.role, file: task.file, output: task.output, status: "not-run", attempts: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, latencyMs: 0, wallMs: 0, error: { code: "interrupted", message: "its shard was not merged" } });
  }
  return { results, steps, figures, spentUSD, stoppedBy };
}
