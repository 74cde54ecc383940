// Which planned output paths the commit step would refuse, known before any request is sent.
//
// writeBranch refuses at commit time (util/paths.ts) to write through a symlink or outside the tree; by
// then every request has been paid for and the whole branch is lost. HEAD's tree says the same up front:
// the worktree is checked out from it, so a path that is a symlink, a submodule or under one at HEAD is
// exactly a path the write would refuse. The plan can drop or fail those tasks instead.
import type { RepoPath } from "../core/index.js";
import { checkOutputPath } from "../util/index.js";
import { headTree } from "./head.js";

/** The parts of a HEAD tree entry this check looks at (`HeadEntry` fits). */
export interface TreeEntryMode {
  path: RepoPath;
  /** "100644", "100755", "120000" (symlink), "160000" (submodule). */
  mode: string;
}

const KIND_BY_MODE: Readonly<Record<string, string>> = {
  "120000": "a symbolic link",
  "160000": "a submodule",
};

/**
 * Pure: output path → one-line reason, for each output a write to HEAD's tree would refuse or that
 * would change something other than that one path. Outputs not in the map are safe to write.
 */
export function unsafeOutputs(tree: readonly TreeEntryMode[], outputs: readonly RepoPath[], repoTop = "/repo"): Map<RepoPath, string> {
  const modeOf = new Map(tree.map((entry) => [entry.path, entry.mode]));
  const unsafe = new Map<RepoPath, string>();
  for (const output of outputs) {
    const check = checkOutputPath(repoTop, output);
    if (!check.ok) {
      unsafe.set(output, check.reason);
      continue;
    }
    const own = modeOf.get(output);
    if (own !== undefined && KIND_BY_MODE[own]) {
      unsafe.set(output, `it is ${KIND_BY_MODE[own]} at HEAD; a task writes regular files only`);
      continue;
    }
    for (let slash = output.indexOf("/"); slash !== -1; slash = output.indexOf("/", slash + 1)) {
      const parent = output.slice(0, slash);
      const mode = modeOf.get(parent);
      if (mode === undefined) continue;
      unsafe.set(output, `its folder \`${parent}\` is ${KIND_BY_MODE[mode] ?? "a file"} at HEAD`);
      break;
    }
  }
  return unsafe;
}

/** {@link unsafeOutputs} against the tree of `rev` (HEAD by default) of the repository at `repoTop`. */
export async function findUnsafeOutputs(repoTop: string, outputs: readonly RepoPath[], rev = "HEAD"): Promise<Map<RepoPath, string>> {
  if (outputs.length === 0) return new Map();
  return unsafeOutputs(await headTree(repoTop, rev), outputs, repoTop);
}
