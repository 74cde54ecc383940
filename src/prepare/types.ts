import type { CodemodPass } from "../codemod/index.js";
import type { ConfigOverrides, ResolvedConfig } from "../config/index.js";
import type { Plan, SourceFile } from "../core/index.js";
import type { Estimate, Pricing } from "../estimate/index.js";
import type { RepoState } from "../git/index.js";
import type { ScanResult } from "../scan/index.js";
import type { ShardSpec } from "../shard/index.js";
import type { Baseline } from "../validate/index.js";

export interface PrepareOptions {
  repo: string;
  configPath?: string;
  overrides: ConfigOverrides;
  /** Instruction is required for estimate and run, not for plan. */
  needsInstruction: boolean;
  /** Called while the estimate tokenizes the plan's prompts (tasks done of all), for `swarm estimate`'s progress line. */
  onEstimateProgress?: (done: number, total: number) => void;
  /** Called as each stage starts (issue 17: a terminal shows what is happening): N files to graph, N tasks to estimate. */
  onPhase?: (phase: "graph" | "estimating", count: number) => void;
  /**
   * Whether HEAD's import graph and problems are taken (validation and prompt context need them). `swarm plan`
   * says false: it needs the graph only to order refactors under "dependencies-first". `swarm estimate` says
   * "graph": its prompts need the graph and HEAD's files, not the compiler the checks use (prepareBaseline's graphOnly).
   * @default true
   */
  needsBaseline?: boolean | "graph";
  /** `--shard k/n`: run this shard's part of the plan only (see shard-part.ts). */
  shard?: ShardSpec;
}

/** What `swarm plan` shows: the task graph and the skips, before any tokenizing or request. */
export interface PreparedPlan {
  repo: RepoState;
  config: ResolvedConfig;
  configSource: string | null;
  instruction: string;
  scan: ScanResult;
  plan: Plan;
  files: Map<string, SourceFile>;
  /** HEAD content of output paths that exist already (tests being updated). */
  existingOutputs: Map<string, string>;
  /** HEAD's import graph and problems, taken before any request; null when neither validation nor context needs it. */
  baseline: Baseline | null;
  /** What the named codemod (config `codemod`, `--codemod`) did to the planned files, in memory; absent: none named. */
  codemod?: CodemodPass;
}

/** Everything known before the first request: what `estimate` shows and `run` executes. */
export interface Prepared extends PreparedPlan {
  pricing: Pricing;
  estimate: Estimate;
  /** A shard run's place in the whole run: k/n, the whole plan's fingerprint, each shard's expected tokens. */
  shard?: ShardSpec & { fingerprint: string; loads: number[] };
}
