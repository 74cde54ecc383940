import type { ConfigOverrides, ResolvedConfig } from "../config/index.js";
import type { Plan, SourceFile } from "../core/index.js";
import type { Estimate, Pricing } from "../estimate/index.js";
import type { RepoState } from "../git/index.js";
import type { ScanResult } from "../scan/index.js";
import type { Baseline } from "../validate/index.js";

export interface PrepareOptions {
  repo: string;
  configPath?: string;
  overrides: ConfigOverrides;
  /** Instruction is required for estimate and run, not for plan. */
  needsInstruction: boolean;
  /**
   * Whether HEAD's import graph and problems are taken (validation and prompt context need them). `swarm plan`
   * says false: it needs the graph only to order refactors under "dependencies-first".
   * @default true
   */
  needsBaseline?: boolean;
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
}

/** Everything known before the first request: what `estimate` shows and `run` executes. */
export interface Prepared extends PreparedPlan {
  pricing: Pricing;
  estimate: Estimate;
}
