// The codemod stage (issue 18): a user's ts-morph codemod, or a built-in one, over the planned files before any
// request; only what it hands off reaches the model.
import type { Plan, RepoPath } from "../core/index.js";
import { buildImportGraph, type ImportGraph } from "../graph/index.js";
import { loadCodemod } from "./load.js";
import { runCodemodPass } from "./run-pass.js";
import type { CodemodPass } from "./types.js";

export type { CodemodContext, CodemodFunction, CodemodPass } from "./types.js";
export { codemodCommit, codemodExtra, codemodName, codemodSteps, codemodSummary, handOffOf, isBuiltinSpec, isCodemodStep, isDoneByCodemod, modelPlan, settleCodemod } from "./records.js";

export interface CodemodInput {
  /** As the user named it (flag or config `codemod`): a module path or a built-in spec. */
  spec: string;
  /** A relative module path (from the config file) is the repository's; the CLI makes `--codemod` paths absolute. */
  repoTop: string;
  instruction: string;
  plan: Plan;
  /** HEAD's text of the repository's files; `graph`: their import graph (built from `files` when absent). */
  files: ReadonlyMap<RepoPath, string>;
  otherPaths: readonly RepoPath[];
  graph?: ImportGraph;
}

/** Loads the codemod once and runs it over the plan's refactor files, in memory: nothing is written. */
export async function runCodemod(input: CodemodInput): Promise<CodemodPass> {
  const codemod = await loadCodemod(input.spec, input.repoTop);
  const targets = input.plan.tasks.filter((t) => t.role === "refactor").map((t) => t.file);
  const pass = await runCodemodPass({
    codemod,
    instruction: input.instruction,
    targets,
    files: input.files,
    allPaths: [...input.files.keys(), ...input.otherPaths],
    graph: input.graph ?? buildImportGraph(input.files, { otherPaths: input.otherPaths }),
  });
  if (targets.length === 0 && codemod.kind === "user") pass.problems.push(`${input.spec} ran over no file: it works on the files of the refactor role, which --roles leaves out`);
  return pass;
}
