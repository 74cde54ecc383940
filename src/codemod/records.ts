// What the rest of the run takes from a codemod pass: done tasks as journal-like steps, the tasks the model still
// gets, the hand-off note of their prompts, and the counts the report shows.
import { zeroUsage, type Plan, type RepoPath, type StepRecord, type Task, type TaskId, type TaskResult } from "../core/index.js";
import type { CodemodPass } from "./types.js";

/** The model name of a step the codemod decided: it sent no request and cost nothing. */
const CODEMOD_MODEL = "codemod";

/**
 * A refactor the codemod finished enters the engine as an already decided step (attempt 0, no usage), the way a
 * resumed run's journal does: it is never requested, and its test and doc tasks are built from its new content. Not
 * journaled: a resume runs the codemod again, which sends nothing, and takes its steps afresh.
 */
export function codemodSteps(pass: CodemodPass | undefined, plan: Plan): StepRecord[] {
  if (!pass) return [];
  return plan.tasks.flatMap((task) => {
    const outcome = task.role === "refactor" ? pass.files.get(task.file) : undefined;
    if (outcome?.status !== "done") return [];
    return [{ taskId: task.id, kind: "refactor", attempt: 0, model: CODEMOD_MODEL, ok: true, content: outcome.content, usage: zeroUsage(), latencyMs: 0, final: true }];
  });
}

export const isCodemodStep = (step: StepRecord) => step.model === CODEMOD_MODEL;

/** Whether the codemod finished this task: no request goes out for it (nor a preflight, when it finished every task). */
export const isDoneByCodemod = (pass: CodemodPass | undefined, task: Task) => task.role === "refactor" && pass?.files.get(task.file)?.status === "done";

/** The plan as far as the model is concerned (what the estimate prices): without the refactors the codemod did. */
export function modelPlan(plan: Plan, pass: CodemodPass | undefined): Plan {
  if (!pass) return plan;
  const done = new Set(plan.tasks.filter((t) => isDoneByCodemod(pass, t)).map((t) => t.id));
  return { ...plan, tasks: plan.tasks.filter((t) => !done.has(t.id)).map((t) => ({ ...t, dependsOn: t.dependsOn.filter((d) => !done.has(d)) })) };
}

/**
 * A handed-off (or thrown-on) refactor's starting point: the codemod's partial result, which the prompt shows as the
 * file, and the note saying why the model has it. Null when the codemod finished the file or did not run.
 */
export function handOffOf(pass: CodemodPass | undefined, task: Task): { content: string; note: string } | null {
  const outcome = task.role === "refactor" ? pass?.files.get(task.file) : undefined;
  if (!outcome || outcome.status === "done") return null;
  const why = outcome.status === "failed" ? `the codemod threw on it (${outcome.reason})` : `the codemod handed it off: ${outcome.reason}`;
  return {
    content: outcome.content,
    note: `A codemod (${codemodName(pass!.spec)}) ran over this file before you; ${why}. The file below is what it left: finish applying the instruction to it.`,
  };
}

/** The report's codemod section: what the codemod did per file, with counts. */
export function codemodSummary(pass: CodemodPass) {
  const done: RepoPath[] = [];
  const handedOff: { file: RepoPath; reason: string }[] = [];
  const failed: { file: RepoPath; reason: string; frame?: string }[] = [];
  let changed = 0;
  for (const [file, outcome] of pass.files) {
    if (outcome.status === "done") {
      done.push(file);
      if (outcome.changed) changed++;
    } else if (outcome.status === "handed-off") handedOff.push({ file, reason: outcome.reason });
    else failed.push({ file, reason: outcome.reason, ...(outcome.frame ? { frame: outcome.frame } : {}) });
  }
  return {
    spec: pass.spec,
    done: done.length,
    changed,
    handedOff,
    failed,
    // Failed files went to the model as hand-offs did.
    toModel: handedOff.length + failed.length,
    extra: pass.extra.map((c) => ({ path: c.path, change: c.content === null ? ("deleted" as const) : ("written" as const) })),
    problems: pass.problems,
  };
}


/** What validation checks besides the tasks' results: the changes no task owns, written and removed. */
export function codemodExtra(pass: CodemodPass | undefined) {
  if (!pass || pass.extra.length === 0) return undefined;
  const written = new Map<RepoPath, string>();
  for (const c of pass.extra) if (c.content !== null) written.set(c.path, c.content);
  return { written, removed: pass.extra.filter((c) => c.content === null).map((c) => c.path) };
}

/** The codemod's own commit: the tasks it finished (as validation left them) and the changes no task owns, unless settled back. */
export function codemodCommit(pass: CodemodPass | undefined, plan: Plan, keepsExtra = true) {
  if (!pass) return undefined;
  return { spec: codemodName(pass.spec), tasks: new Set(codemodSteps(pass, plan).map((s) => s.taskId)), extra: keepsExtra ? pass.extra : [] };
}

/**
 * After validation: a built-in's change lands whole or not at all. When validation reverted one of its files, or one
 * of the changes no task owns is broken, every file it changed goes back to HEAD (a half-renamed export breaks
 * the rest). A user codemod's files stand or fall one by one, like the model's.
 */
export function settleCodemod(pass: CodemodPass | undefined, plan: Plan, results: Map<TaskId, TaskResult>, unownedBroken: readonly RepoPath[] = []) {
  const ids = codemodSteps(pass, plan).map((s) => s.taskId);
  const reverted = ids.find((id) => results.get(id)?.error?.code === "reverted") ?? unownedBroken[0];
  if (!pass?.atomic || reverted === undefined) return { results, keepsExtra: true };
  const settled = new Map(results);
  const revertedIds = new Set<TaskId>();
  for (const id of ids) {
    const { content: _content, changed, ...rest } = settled.get(id)!;
    if (rest.status !== "succeeded" || changed !== true) continue;
    settled.set(id, { ...rest, status: "failed", error: { code: "reverted", message: `reverted by validation: ${codemodName(pass.spec)} lands whole or not at all, and ${reverted} did not pass` } });
    revertedIds.add(id);
  }
  // Tests and docs written from the reverted content (a test importing the new name, an existing test the rename
  // reached) would not match HEAD's code: they go back with it.
  const extraPaths = new Set(pass.extra.map((c) => c.path));
  for (const task of plan.tasks) {
    const result = settled.get(task.id);
    if (task.role === "refactor" || result?.status !== "succeeded") continue;
    const from = task.dependsOn.find((d) => revertedIds.has(d)) ?? (extraPaths.has(task.output) ? "the codemod's edit of this file" : undefined);
    if (from === undefined) continue;
    const { content: _content, changed: _changed, ...rest } = result;
    settled.set(task.id, { ...rest, status: "failed", error: { code: "reverted", message: `reverted by validation: written from ${from}, which was reverted` } });
  }
  return { results: settled, keepsExtra: false };
}

/** `rename-export:…`, `move-file:…`: named like a built-in (parseBuiltinSpec decides whether it is a valid one). */
export const isBuiltinSpec = (spec: string) => /^[a-z][a-z-]+:/.test(spec);

/** A built-in by its spec, a module by its file name: commits and prompts do not carry a path of the user's machine. */
export const codemodName = (spec: string) => (isBuiltinSpec(spec) ? spec : (spec.split(/[\\/]/).pop() ?? spec));
