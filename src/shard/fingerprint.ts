// Pure: the identity of a sharded run. Shards of one run agree on it; a shard of another commit, instruction,
// config or shard count does not, and the merge refuses it.
import { createHash } from "node:crypto";
import type { ResolvedConfig } from "../config/index.js";
import type { Plan } from "../core/index.js";

export interface FingerprintInput {
  headSha: string;
  instruction: string;
  config: ResolvedConfig;
  /** The whole plan, before it is split. */
  plan: Plan;
  count: number;
}

// How a shard reaches its endpoint and how long it may run differ per CI job without changing what it does.
const OPERATIONAL = new Set(["concurrency", "timeoutMs", "stallTimeoutMs", "retry", "maxSteps", "maxCostUSD", "maxFailureRate", "estimate", "pricing"]);

export function planFingerprint(input: FingerprintInput): string {
  const { provider, ...rest } = input.config as ResolvedConfig & { provider: { model: string } };
  const config = Object.fromEntries(Object.entries(rest).filter(([key]) => !OPERATIONAL.has(key)).sort(([a], [b]) => (a < b ? -1 : 1)));
  const tasks = input.plan.tasks.map((t) => [t.id, t.output, t.dependsOn]);
  const text = JSON.stringify({ v: 1, headSha: input.headSha, instruction: input.instruction, count: input.count, model: provider.model, config, tasks });
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}
