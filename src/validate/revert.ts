// Pure: which files to put back to their original content so the tree has no problem the run introduced.
// Reverting one file can break another that relied on its new exports; that one goes back too, and so on.
import type { RepoPath } from "../core/index.js";
import type { Problem } from "../events/index.js";

export interface RevertStep {
  file: RepoPath;
  /** The problems that made this file go back. */
  problems: Problem[];
  /** 0 for the files that were broken to begin with, then 1, 2, ... for each knock-on round. */
  round: number;
}

export interface RevertInput {
  /** Files the run wrote (changed or created): the only ones a revert can touch. */
  changed: Iterable<RepoPath>;
  /** Files still broken after the repairs: reverted first. */
  broken: Iterable<RepoPath>;
  /** Why each broken file is reverted (the problems left after repair), for the report. */
  brokenProblems?: readonly Problem[];
  /**
   * New problems (against the baseline) of the tree in which the files in `reverted` hold their
   * original content (a created file is deleted) and every other changed file keeps its new content.
   */
  problemsAfterRevert: (reverted: ReadonlySet<RepoPath>) => Problem[];
}

export interface RevertResult {
  /** In the order they were decided. */
  reverts: RevertStep[];
  /** Problems no revert can fix (in files the run did not write, caused by files it did not write). */
  remaining: Problem[];
}

/**
 * Reverts `broken`, then, round by round, every changed file that has a new problem or whose new
 * content is the other side of one (for example it still imports a name the reverted file no longer
 * has). Terminates: each round reverts at least one more changed file, or stops.
 */
export function revertClosure(input: RevertInput): RevertResult {
  const changed = new Set(input.changed);
  const reverted = new Set<RepoPath>();
  const reverts: RevertStep[] = [];
  const broken = [...new Set(input.broken)].filter((f) => changed.has(f)).sort();
  for (const file of broken) {
    reverted.add(file);
    const problems = (input.brokenProblems ?? []).filter((p) => p.file === file || p.target === file);
    reverts.push({ file, problems, round: 0 });
  }

  for (let round = 1; ; round += 1) {
    const problems = input.problemsAfterRevert(reverted);
    const culprits = new Map<RepoPath, Problem[]>();
    for (const problem of problems) {
      const culprit = culpritOf(problem, changed, reverted);
      if (culprit === null) continue;
      const list = culprits.get(culprit) ?? [];
      list.push(problem);
      culprits.set(culprit, list);
    }
    if (culprits.size === 0) return { reverts, remaining: problems };
    for (const file of [...culprits.keys()].sort()) {
      reverted.add(file);
      reverts.push({ file, problems: culprits.get(file)!, round });
    }
  }
}

/** The not-yet-reverted changed file a problem points at: where it shows, else the other side. */
function culpritOf(problem: Problem, changed: Set<RepoPath>, reverted: Set<RepoPath>): RepoPath | null {
  const candidates = [problem.file, problem.target];
  for (const file of candidates) if (file !== undefined && changed.has(file) && !reverted.has(file)) return file;
  return null;
}
