import { repoStateError, SwarmErrorCode } from "../core/index.js";
import { gitAt, gitErrorLine, tryGit } from "./git.js";

/**
 * The tip of `branch` when an earlier process of this same run wrote it, else `null`.
 *
 * A drained or budget-stopped run writes its branch for what finished; its resume must write that
 * branch again with more on it. The branch counts as ours only while it still points where that
 * process left it (`written`: the report's last commit, or the base when nothing was committed): if
 * the user moved it, `null` lets the usual "branch exists" check refuse, and nothing of theirs is replaced.
 */
export async function ownBranchTip(repoTop: string, branch: string, written: string | null): Promise<string | null> {
  if (written === null) return null;
  const tip = await tryGit(gitAt(repoTop), ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]);
  return tip?.trim() === written ? written : null;
}

/**
 * Deletes the run's earlier branch so the resumed run can write it again. Compare-and-swap on the
 * tip: if the branch moved since `ownBranchTip` looked, git refuses and so do we.
 */
export async function releaseOwnBranch(repoTop: string, branch: string, tip: string): Promise<void> {
  await gitAt(repoTop)
    .raw(["update-ref", "-d", `refs/heads/${branch}`, tip])
    .catch((error: unknown) => {
      throw repoStateError(
        SwarmErrorCode.BranchExists,
        `branch \`${branch}\` changed while the run was resuming (${gitErrorLine(error)})`,
        "resume again, or delete the branch first",
      );
    });
}
