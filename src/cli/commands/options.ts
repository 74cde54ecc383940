import path from "node:path";
import { isBuiltinSpec } from "../../codemod/index.js";
import type { PrepareOptions } from "../../prepare/index.js";
import type { CommonFlags } from "../program.js";

/** `--codemod ./x.ts` is the current folder's; a built-in spec (`rename-export:…`) stays as it is. */
const withCodemodPath = (overrides: CommonFlags["overrides"], cwd: string): CommonFlags["overrides"] => {
  const spec = overrides.codemod;
  if (spec === undefined || isBuiltinSpec(spec)) return overrides;
  return { ...overrides, codemod: path.resolve(cwd, spec) };
};

export function prepareOptions(repo: string, flags: CommonFlags, needsInstruction: boolean, cwd: string): PrepareOptions {
  return {
    repo: path.resolve(cwd, repo),
    configPath: flags.config === undefined ? undefined : path.resolve(cwd, flags.config),
    overrides: withCodemodPath(flags.overrides, cwd),
    needsInstruction,
  };
}
