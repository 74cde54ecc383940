import type { ConfigOverrides } from "../../config/load.js";
import type { PrepareOptions } from "../../pipeline.js";
import type { CommonFlags, RunFlags } from "../program.js";

export function overridesOf(flags: CommonFlags & Partial<RunFlags>): ConfigOverrides {
  const o: ConfigOverrides = {};
  if (flags.instruction !== undefined) o.instruction = flags.instruction;
  if (flags.roles !== undefined) o.roles = flags.roles as ConfigOverrides["roles"];
  if (flags.concurrency !== undefined) o.concurrency = flags.concurrency;
  if (flags.model !== undefined) o.model = flags.model;
  if (flags.baseUrl !== undefined) o.baseURL = flags.baseUrl;
  if (flags.maxCostUsd !== undefined) o.maxCostUSD = flags.maxCostUsd;
  if (flags.maxFailureRate !== undefined) o.maxFailureRate = flags.maxFailureRate;
  return o;
}

export function prepareOptions(repo: string, flags: CommonFlags & Partial<RunFlags>, needsInstruction: boolean, cwd: string): PrepareOptions {
  return { repo: resolveFrom(cwd, repo), configPath: flags.config === undefined ? undefined : resolveFrom(cwd, flags.config), overrides: overridesOf(flags), needsInstruction };
}

import path from "node:path";
const resolveFrom = (cwd: string, p: string) => path.resolve(cwd, p);
