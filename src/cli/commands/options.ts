import path from "node:path";
import type { PrepareOptions } from "../../prepare/index.js";
import type { CommonFlags } from "../program.js";

export function prepareOptions(repo: string, flags: CommonFlags, needsInstruction: boolean, cwd: string): PrepareOptions {
  return {
    repo: path.resolve(cwd, repo),
    configPath: flags.config === undefined ? undefined : path.resolve(cwd, flags.config),
    overrides: flags.overrides,
    needsInstruction,
  };
}
