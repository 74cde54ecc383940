import type { RunPhase, RunSummary } from "../events/index.js";
import { oneLine, shellQuote } from "../util/index.js";

/**
 * The commands that take a finished run into review (issue 17): what changed, the diff against the
 * base the branch started from, and the push plus pull request, titled with the instruction and
 * described by report.md. Empty when nothing was committed.
 */
export function reviewHandOff(s: RunSummary): string[] {
  if (s.branch === null) return [];
  const base = s.baseSha ? s.baseSha.slice(0, 12) : "HEAD";
  const title = s.instruction ? oneLine(s.instruction, 72) : `swarm ${s.runId}`;
  return [
    `git log --stat ${base}..${s.branch}`,
    `git diff ${base}...${s.branch}`,
    `git push -u origin ${s.branch} && gh pr create --head ${s.branch} --title ${shellQuote(title)} --body-file ${shellQuote(s.reportMd)}`,
  ];
}

const PHASE_TEXT: Record<RunPhase, string> = {
  scanning: "scanning files",
  graph: "building the import graph",
  estimating: "estimating",
  running: "running",
  validating: "validating",
  committing: "committing",
  report: "writing the report",
};

/** "validating 41 files", "running 903 tasks", "committing". */
export function describePhase(phase: RunPhase, count?: number): string {
  if (count === undefined) return PHASE_TEXT[phase];
  if (phase === "running" || phase === "estimating") return `${phase} ${count} ${count === 1 ? "task" : "tasks"}`;
  const files = `${count} ${count === 1 ? "file" : "files"}`;
  if (phase === "graph") return `${PHASE_TEXT.graph} of ${files}`;
  return `${phase === "scanning" ? "scanning" : PHASE_TEXT[phase]} ${files}`;
}
