import { modelPlan } from "../codemod/index.js";
import type { Plan, TaskId } from "../core/index.js";
import { estimatePlan, type Calibration } from "../estimate/index.js";
import { importMap } from "../prompt/index.js";
import { partitionPlan, planFingerprint, shardPlan, type ShardSpec } from "../shard/index.js";
import { messagesOf } from "./requests.js";
import type { Prepared } from "./types.js";

/**
 * `swarm run --shard k/n`: the whole plan is split the same way on every shard (by the estimate's tokens, import
 * cycles together), and this shard keeps its part, its share of maxCostUSD and its own estimate. The fingerprint is
 * the whole plan's, so the merge can tell the shards of one run from any other.
 */
export function shardPart(prepared: Prepared, spec: ShardSpec, calibration: Calibration): Prepared {
  const { plan, config, repo, instruction } = prepared;
  const fingerprint = planFingerprint({ headSha: repo.headSha, instruction, config, plan, count: spec.count });
  const partition = partitionOf(prepared, spec.count);
  const part = shardPlan(plan, partition, spec.index);
  const shardConfig = config.maxCostUSD === null ? config : { ...config, maxCostUSD: config.maxCostUSD / spec.count };
  const shard = { ...prepared, config: shardConfig, plan: part };
  const partEstimate = estimatePlan({ plan: modelPlan(part, prepared.codemod), config: shardConfig, pricing: prepared.pricing, calibration, messagesFor: (task) => messagesOf(shard, task) });
  return { ...shard, estimate: partEstimate, shard: { ...spec, fingerprint, loads: partition.loads } };
}

/** `swarm estimate --shards n`: each shard's tasks, cost (the run's own per-task figures) and expected wall time. */
export function estimateShards(prepared: Prepared, count: number) {
  const { plan, estimate, config } = prepared;
  const partition = partitionOf(prepared, count);
  return partition.loads.map((tokens, i) => {
    const part = shardPlan(plan, partition, i + 1);
    const wallMs = estimatePlan({ plan: modelPlan(part, prepared.codemod), config, pricing: prepared.pricing, messagesFor: (task) => messagesOf(prepared, task) }).wallMs;
    const costUSD = part.tasks.reduce((sum, t) => sum + (estimate.perTaskUSD[t.id] ?? 0), 0);
    return { shard: i + 1, count, tasks: part.tasks.length, files: part.files.length, tokens, costUSD, wallMs };
  });
}

/**
 * The same split for every shard and for `estimate --shards`: files of one import cycle together, and so are the
 * planned files a built-in changed (a rename, a move): in two shards, each would check half of it against HEAD.
 */
function partitionOf(prepared: Prepared, count: number) {
  const { plan, estimate, baseline, codemod } = prepared;
  const imports = baseline ? importMap(baseline.graph, plan.files.map((f) => f.path)) : new Map<string, string[]>();
  const together = codemod?.atomic ? [...codemod.files].filter(([, o]) => o.status === "done" && o.changed).map(([file]) => file) : [];
  // A ring of edges makes them one strongly connected component.
  if (together.length > 1) together.forEach((file, i) => imports.set(file, [...(imports.get(file) ?? []), together[(i + 1) % together.length]!]));
  return partitionPlan({ plan, count, weightOf: weightsOf(plan, estimate.perTaskUncalibrated), imports });
}

/** A task's expected prompt + answer tokens; its file's size where the estimate has no figure. */
function weightsOf(plan: Plan, perTask: Prepared["estimate"]["perTaskUncalibrated"]): (id: TaskId) => number {
  const bytes = new Map(plan.tasks.map((t) => [t.id, t.bytes]));
  return (id) => {
    const usage = perTask?.[id]?.usage;
    return usage ? usage.inputTokens + usage.outputTokens : Math.ceil((bytes.get(id) ?? 0) / 4);
  };
}
