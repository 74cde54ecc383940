import { SwarmError, SwarmErrorCode, type Role, type SourceFile, type Task, type TaskId, type TaskResult } from "../core/index.js";
import type { EventBus } from "../events/index.js";
import { writeBranch } from "./worktree.js";

export interface CommitResultsInput {
  repo: { top: string; headSha: string };
  plan: { roles: readonly Role[]; tasks: readonly Task[] };
  files: ReadonlyMap<string, SourceFile>;
  results: ReadonlyMap<TaskId, TaskResult>;
  branch: string;
  instruction: string;
  /** Tasks validation repaired: committed even when the agent's own answer changed nothing. */
  repaired: ReadonlySet<TaskId>;
  bus: EventBus;
  /** See WriteBranchInput.beforeBranch. */
  beforeBranch?: (sha: string) => Promise<void>;
  /** A codemod's work: its own commit before the roles' (its finished tasks, and changes no task owns; null deletes). */
  codemod?: { spec: string; tasks: ReadonlySet<TaskId>; extra: readonly { path: string; content: string | null }[] };
}

/**
 * One commit per role, in role order; a failed or reverted task leaves its output path as HEAD has it.
 * Repaired files go into their role's commit as repaired, so every commit on the branch is as consistent
 * as its tip (bisect and per-commit CI stay green); the report lists each repair with its problems.
 */
export async function commitResults(input: CommitResultsInput) {
  const { plan, results, repaired } = input;
  const title = input.instruction.split("\n")[0]!.slice(0, 60);
  const byCodemod = input.codemod?.tasks ?? new Set<TaskId>();
  const entries: { role: Role | "codemod"; done: TaskResult[]; extra?: { path: string; content: string | null }[] }[] = plan.roles.map((role) => ({
    role,
    done: plan.tasks.map((t) => results.get(t.id)!).filter((r) => r.role === role && r.status === "succeeded" && (r.changed || repaired.has(r.id)) && !byCodemod.has(r.id)),
  }));
  if (input.codemod) {
    const done = plan.tasks.map((t) => results.get(t.id)!).filter((r) => byCodemod.has(r.id) && r.status === "succeeded" && (r.changed || repaired.has(r.id)));
    entries.unshift({ role: "codemod", done, extra: [...input.codemod.extra] });
  }
  const commits = entries.map(({ role, done, extra = [] }) => {
    const lines = [...done.map((r) => `- ${r.output}${repaired.has(r.id) ? " (repaired)" : ""}`), ...extra.map((c) => `- ${c.path}${c.content === null ? " (deleted)" : ""}`)];
    return {
      message: `swarm(${role}): ${title}\n\n${role === "codemod" ? `by ${input.codemod!.spec}\n` : ""}${lines.join("\n")}\n`,
      files: [
        ...done.map((r) => {
          const source = input.files.get(r.output);
          return { path: r.output, content: r.content!, mode: source?.mode, original: source ? { hasBom: source.hasBom, eol: source.eol, hasFinalNewline: source.hasFinalNewline } : undefined };
        }),
        ...extra,
      ],
    };
  });
  // A branch equal to HEAD says nothing and blocks a later run with the same --branch: none is written.
  if (commits.every((c) => c.files.length === 0)) return { branch: null, sha: input.repo.headSha, empty: true, commits: [] };
  let written: Awaited<ReturnType<typeof writeBranch>>;
  try {
    written = await writeBranch({ repo: input.repo.top, headSha: input.repo.headSha, branch: input.branch, commits, ...(input.beforeBranch ? { beforeBranch: input.beforeBranch } : {}) });
  } catch (error) {
    // Another process took the branch name while this run went: its report must still be written, saying so.
    if (error instanceof SwarmError && error.code === SwarmErrorCode.BranchExists) return { branch: null, sha: input.repo.headSha, empty: false, commits: [], lostBranch: error };
    throw error;
  }
  // Entries that changed nothing are skipped, so each commit names the entry, and so its role, it came from.
  const byRole = written.commits.map((c) => ({ role: entries[c.entry]!.role, sha: c.sha, files: c.files }));
  for (const c of byRole) input.bus.emit({ type: "commit.created", branch: input.branch, ...c });
  return { ...written, commits: byRole };
}
