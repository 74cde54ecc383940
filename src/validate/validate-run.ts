// The validate stage of a run: after the agents, check the changed files against HEAD's baseline,
// let the blamed tasks repair what they broke, and revert what stays broken, so the branch never
// carries a cross-file problem the run introduced.
import type { ResolvedConfig } from "../config/index.js";
import { type Plan, type RepoPath, type StepRecord, SwarmError, type Task, type TaskId, type TaskResult } from "../core/index.js";
import type { EventBus, Problem } from "../events/index.js";
import { type ImportGraph, isParsablePath, parseModules, type SharedParses } from "../graph/index.js";
import { answerFormatFor, type EditFormatSetting } from "../prompt/index.js";
import type { ImportProblem, ReportRepair, ReportRevert, ReportValidation } from "./types.js";
import type { ScanResult } from "../scan/index.js";
import { checkChanges, computeBaseline, revertProbe, type Baseline, type ChangeCheck } from "./baseline.js";
import { problemKey } from "./checks.js";
import { type CommandGatesConfig, createCommandGates, hasCommandGates, packageDirsOf, type CommandGates } from "./command-gates.js";
import { isTestPath } from "./guards.js";
import { fallbackNote, findTypeEnvironment, installCommand } from "./environment.js";
import { readRepoSnapshot } from "./repo-snapshot.js";
import { createRepairSession, type RepairEngineDeps, type RepairRunner } from "./repair.js";
import { repairMessages } from "./repair-prompt.js";
import { revertClosure } from "./revert.js";

/**
 * HEAD's import graph and problems, before any request: what the plan's order, the prompts' context
 * and the validation after the agents all work from. Null when nothing needs it.
 * `graphOnly`: without the compiler, for what checks nothing (`swarm plan`, `swarm estimate`): the compiler's
 * baseline keeps every TypeScript file's parse (3,500 files: +170 MB, and the garbage collector's time with it).
 */
export async function prepareBaseline(repo: string, scan: ScanResult, config: ResolvedConfig, options: { graphOnly?: boolean } = {}): Promise<Baseline | null> {
  const isNeeded = config.validate.enabled || config.context.maxTokens > 0 || config.order === "dependencies-first";
  if (!isNeeded) return null;
  const [snapshot, environment] = await Promise.all([readRepoSnapshot(repo, scan), options.graphOnly ? null : findTypeEnvironment(repo)]);
  // Parsed in slices first (the graph and the compiler reuse each parse), so a terminal's clock keeps moving (issue 17).
  const sharedParses: SharedParses = new Map();
  const parsed = await parseModules(snapshot.files, options.graphOnly ? undefined : sharedParses);
  const baseline = computeBaseline(snapshot.files, { otherPaths: snapshot.otherPaths, parsed, sharedParses, ...(options.graphOnly ? { typescript: false } : {}), ...(environment ? { environment } : {}) });
  baseline.source = { top: repo, headSha: scan.headSha };
  if (baseline.typeCheck === "imports") baseline.notes.push(fallbackNote(installCommand(new Set([...snapshot.files.keys(), ...snapshot.otherPaths]))));
  return baseline;
}

export interface ValidateChangesInput {
  baseline: Baseline;
  plan: Plan;
  results: ReadonlyMap<TaskId, TaskResult>;
  bus: EventBus;
  /** Repair rounds before a still-broken file is reverted (config validate.maxRepairs). */
  maxRepairs: number;
  /** Sends one round of repair steps; without it, broken files are reverted straight away. */
  repair?: RepairRunner;
  /** What repair prompts share with every other prompt, and their context budget. */
  prompt: {
    instruction: string;
    conventions: string;
    maxContextTokens: number;
    countTokens: (text: string) => number;
    /** Config editFormat / editThresholdTokens: a repair of a large refactored file answers with edits. @default whole answers */
    edits?: { setting: EditFormatSetting; thresholdTokens: number };
  };
  /** Whether content differs from what the task's output path holds at HEAD. */
  isChange(task: Task, content: string): boolean;
  /** The user's gate commands (validate.commands), run at HEAD once and on each checked result. */
  gates?: CommandGates;
  /** @default "keep" */
  publicApi?: "keep" | "allow";
  /** A shard's files: problems elsewhere are another shard's to meet, at the merge. @default every file */
  onlyFiles?: ReadonlySet<RepoPath>;
  /**
   * Changes no task owns (a built-in codemod's importers outside the plan, a moved file's old and new path): checked
   * with the tasks' results, never repaired or reverted on their own.
   */
  extra?: ExtraChanges;
}

export interface ExtraChanges {
  written: ReadonlyMap<RepoPath, string>;
  removed: readonly RepoPath[];
}

export interface ValidationOutcome {
  /** The run's results after validation: repaired content in place, reverted tasks failed with "reverted". */
  results: Map<TaskId, TaskResult>;
  validation: ReportValidation;
  /**
   * The agents' answers that a repair replaced, by task (the report shows what each repair addressed;
   * the role commits carry the repaired content).
   */
  replaced: Map<TaskId, string>;
  /** Wall time of the checks (graph and compiler), repairs' requests excluded. */
  checkMs: number;
  /** Changes no task owns (ExtraChanges) that would have to go back to HEAD, or still have problems: their owner decides. */
  unownedBroken?: RepoPath[];
}

/**
 * Validates the run's changed files.
 * - checks every changed or created JS/TS/JSON output (tests included) against the baseline: only
 *   problems the run introduced count, each blamed on the task whose edit caused it;
 * - up to `maxRepairs` rounds: each blamed task gets one repair step with its problems and the other
 *   side's current signatures; its answer replaces the file and the checks run again;
 * - what is still broken goes back to HEAD, with every changed file that needs it (revertClosure) and
 *   the tests and docs written from a reverted refactor.
 */
export async function validateChanges(input: ValidateChangesInput): Promise<ValidationOutcome> {
  const { baseline, plan, bus } = input;
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  const results = new Map(input.results);
  const written = new Map<RepoPath, string>(input.extra?.written ?? []);
  const removed = input.extra?.removed ?? [];
  const owner = new Map<RepoPath, TaskId>();
  for (const task of plan.tasks) {
    const r = results.get(task.id);
    if (r?.status !== "succeeded" || r.changed !== true || r.content === undefined) continue;
    if (!isParsablePath(task.output) && !task.output.endsWith(".json")) continue;
    written.set(task.output, r.content);
    owner.set(task.output, task.id);
  }
  // A test task's output must keep importing the module it was written for.
  const testsOf = new Map<RepoPath, RepoPath>();
  for (const task of plan.tasks) if (task.role === "test" && owner.has(task.output)) testsOf.set(task.output, task.file);
  bus.emit({ type: "validate.started", files: written.size });
  for (const note of baseline.notes) bus.emit({ type: "run.warning", message: note });

  let checkMs = 0;
  const unchecked = new Map<RepoPath, string>();
  // The compiler holds the event loop for seconds on a big change: the phase is announced again from inside it,
  // at most 4 times a second, and a terminal's dashboard draws on it (issue 17). Reporters print a phase once.
  let pulseAt = performance.now();
  const pulse = () => {
    if (performance.now() - pulseAt < 250) return;
    pulseAt = performance.now();
    bus.emit({ type: "run.phase", phase: "validating", count: written.size, elapsedMs: Math.round(pulseAt) });
  };
  const check = async (state: ReadonlyMap<RepoPath, string> = written, opts: { isTip?: boolean } = {}): Promise<ChangeCheck> => {
    const t0 = performance.now();
    const out = checkChanges(baseline, { written: state, removed, tasks: owner, testsOf, publicApi: input.publicApi ?? "keep", onProgress: pulse });
    checkMs += performance.now() - t0;
    for (const u of out.unchecked) unchecked.set(u.file, u.reason);
    if (input.gates && (state.size > 0 || opts.isTip === true)) {
      const files = [...new Set([...out.changed, ...out.scope])].filter((f) => out.files.has(f) && isParsablePath(f)).sort();
      const tests = files.filter(isTestPath);
      const found = await input.gates.check({ written: state, files, tests });
      const blamed = found.map((p) => blameOnWriter(p, owner, out.graph));
      out.problems = [...out.problems, ...blamed];
    }
    if (input.onlyFiles) out.problems = out.problems.filter((p) => input.onlyFiles!.has(p.file));
    return out;
  };
  const introduced = new Map<string, Problem>();
  const record = (problems: readonly ImportProblem[]) => {
    for (const problem of problems) {
      const key = `${problemKey(problem)}\0${problem.blame ?? ""}`;
      if (introduced.has(key)) continue;
      introduced.set(key, problem);
      bus.emit({ type: "validate.problem", problem });
    }
  };

  let current = await check();
  record(current.problems);

  const repairs: ReportRepair[] = [];
  const replaced = new Map<TaskId, string>();
  for (let round = 1; round <= input.maxRepairs && input.repair && current.problems.length > 0; round++) {
    const groups = byBlame(current.problems, owner);
    if (groups.size === 0) break;
    const requests = [...groups].map(([id, problems]) => {
      const task = tasks.get(id)!;
      const content = written.get(task.output)!;
      const edits = input.prompt.edits;
      const format = edits
        ? answerFormatFor(task, { setting: edits.setting, wholeTokens: input.prompt.countTokens(content), thresholdTokens: edits.thresholdTokens, maxOutputTokens: Infinity })
        : "whole";
      return {
        task,
        ...(format === "search-replace" ? { edit: { path: task.output, content } } : {}),
        current: content,
        messages: repairMessages({
          task,
          format,
          content,
          problems,
          graph: current.graph,
          graphBefore: baseline.graph,
          instruction: input.prompt.instruction,
          conventions: input.prompt.conventions,
          maxContextTokens: input.prompt.maxContextTokens,
          countTokens: input.prompt.countTokens,
        }),
      };
    });
    const answers = await input.repair(requests);
    for (const [id, answer] of answers) {
      const task = tasks.get(id)!;
      const before = results.get(id)!;
      // A repair is one more step of the same agent: its tokens and time are the task's.
      results.set(id, {
        ...before,
        inputTokens: before.inputTokens + answer.usage.inputTokens,
        cachedInputTokens: before.cachedInputTokens + answer.usage.cachedInputTokens,
        outputTokens: before.outputTokens + answer.usage.outputTokens,
        latencyMs: before.latencyMs + answer.latencyMs,
      });
      if (answer.status === "succeeded" && answer.content !== undefined) {
        if (!replaced.has(id)) replaced.set(id, written.get(task.output)!);
        written.set(task.output, answer.content);
      }
    }
    // Steps the run's stop or budget kept from being sent are no repair attempt, and nothing more will be sent.
    const attempted = [...groups].filter(([id]) => (answers.get(id)?.status ?? "not-run") !== "not-run");
    if (attempted.length === 0) break;
    const next = await check();
    for (const [id, problems] of attempted) {
      const answer = answers.get(id);
      const isFixed = answer?.status === "succeeded" && !next.problems.some((p) => p.blame === id);
      const file = tasks.get(id)!.output;
      repairs.push({ taskId: id, file, round, problems, fixed: isFixed });
      bus.emit({ type: "validate.repair", taskId: id, file, round, problems, fixed: isFixed });
    }
    current = next;
    record(current.problems);
  }

  // Repaired content becomes the task's content (a repair back to HEAD's text is no change at all).
  for (const id of replaced.keys()) {
    const task = tasks.get(id)!;
    const content = written.get(task.output)!;
    results.set(id, { ...results.get(id)!, content, changed: input.isChange(task, content) });
  }

  const changedOutputs = new Set(plan.tasks.filter((t) => results.get(t.id)?.status === "succeeded" && results.get(t.id)?.changed === true).map((t) => t.output));
  const reverts =
    current.problems.length > 0 ? planReverts(baseline, plan, written, owner, current.problems, changedOutputs, removed) : { reverts: [], remaining: [], unowned: [] };
  for (const revert of reverts.reverts) {
    bus.emit({ type: "validate.revert", taskId: revert.taskId, file: revert.file, problems: revert.problems });
    const before = results.get(revert.taskId)!;
    const { content: _dropped, changed: _changed, ...rest } = before;
    results.set(revert.taskId, { ...rest, status: "failed", error: { code: "reverted", message: revertMessage(revert) } });
  }

  // The gates' outcomes describe the last result they ran on; after reverts that is no longer the branch tip.
  if (input.gates && reverts.reverts.length > 0) {
    const reverted = new Set(reverts.reverts.map((r) => r.file));
    await check(new Map([...written].filter(([file]) => !reverted.has(file))), { isTip: true });
  }

  const repaired = new Set(repairs.filter((r) => r.fixed).map((r) => r.taskId));
  for (const r of reverts.reverts) repaired.delete(r.taskId);
  const problems = [...introduced.values()];
  bus.emit({ type: "validate.finished", problems: problems.length, repaired: repaired.size, reverted: reverts.reverts.length });

  const validation: ReportValidation = { problems, repairs, reverts: reverts.reverts };
  if (baseline.typeCheck !== "none") validation.typeCheck = baseline.typeCheck;
  if (reverts.remaining.length > 0) validation.remaining = reverts.remaining;
  const notes = [...baseline.notes];
  if (unchecked.size > 0) {
    const list = [...unchecked].map(([file, reason]) => `${file} (${reason})`);
    notes.push(`TypeScript files without a compiler check: ${list.join(", ")}`);
    bus.emit({ type: "run.warning", message: notes.at(-1)! });
  }
  if (input.gates) {
    validation.gates = input.gates.outcomes();
    for (const gate of validation.gates) if (gate.message !== undefined) bus.emit({ type: "run.warning", message: gate.message });
  }
  if (notes.length > 0) validation.notes = notes;
  for (const r of reverts.reverts) replaced.delete(r.taskId);
  return { results, validation, replaced, checkMs: Math.round(checkMs), ...(reverts.unowned.length > 0 ? { unownedBroken: reverts.unowned } : {}) };
}

/**
 * A gate's problem belongs to the task that wrote its file; in a file no task wrote (an existing test
 * that now fails), to the task of the nearest written file it imports.
 */
function blameOnWriter(problem: ImportProblem, owner: ReadonlyMap<RepoPath, TaskId>, graph: ImportGraph): ImportProblem {
  const own = owner.get(problem.file);
  if (own !== undefined) return { ...problem, blame: own };
  const seen = new Set<RepoPath>([problem.file]);
  const queue = [problem.file];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const dep of graph.dependenciesOf(file)) {
      if (seen.has(dep)) continue;
      const task = owner.get(dep);
      if (task !== undefined) return { ...problem, blame: task, target: dep };
      seen.add(dep);
      queue.push(dep);
    }
  }
  return problem;
}

/** Problems grouped by the task to blame; problems without one are left to the revert. */
function byBlame(problems: readonly ImportProblem[], owner: ReadonlyMap<RepoPath, TaskId>): Map<TaskId, ImportProblem[]> {
  const tasksWithOutput = new Set(owner.values());
  const groups = new Map<TaskId, ImportProblem[]>();
  for (const problem of problems) {
    if (problem.blame === undefined || !tasksWithOutput.has(problem.blame)) continue;
    const list = groups.get(problem.blame) ?? [];
    list.push(problem);
    groups.set(problem.blame, list);
  }
  return groups;
}

/**
 * Which tasks go back to HEAD: the blamed tasks' outputs, then revertClosure's knock-on files, then the
 * test and doc tasks written from a reverted refactor (they describe code that is not on the branch, as
 * the engine's dependency-failed rule has it), repeated until nothing more is added. Docs and other
 * unchecked outputs only go back through that last rule.
 */
function planReverts(
  baseline: Baseline,
  plan: Plan,
  written: ReadonlyMap<RepoPath, string>,
  owner: ReadonlyMap<RepoPath, TaskId>,
  problems: readonly ImportProblem[],
  /** Every output a succeeded task changed, checked or not (docs too). */
  changedOutputs: ReadonlySet<RepoPath> = new Set(written.keys()),
  removed: readonly RepoPath[] = [],
): { reverts: ReportRevert[]; remaining: Problem[]; unowned: RepoPath[] } {
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  const unowned = new Set<RepoPath>();
  const probe = revertProbe(baseline, { written, removed, tasks: owner });
  const why = new Map<RepoPath, ReportRevert>();
  const unchecked = new Set<RepoPath>();
  let broken = new Set<RepoPath>();
  for (const p of problems) {
    const output = p.blame !== undefined ? tasks.get(p.blame)?.output : undefined;
    if (output !== undefined && written.has(output)) broken.add(output);
  }
  for (;;) {
    const closure = revertClosure({ changed: written.keys(), broken, brokenProblems: problems, problemsAfterRevert: probe });
    for (const step of closure.reverts) {
      // A change no task owns (ExtraChanges) is not reverted on its own.
      const taskId = owner.get(step.file);
      if (taskId === undefined) unowned.add(step.file);
      else if (!why.has(step.file)) why.set(step.file, { taskId, file: step.file, problems: step.problems });
    }
    const reverted = new Set([...closure.reverts.map((r) => r.file), ...unchecked]);
    const dependents: RepoPath[] = [];
    for (const task of plan.tasks) {
      if (reverted.has(task.output) || !changedOutputs.has(task.output)) continue;
      const source = task.dependsOn.map((id) => tasks.get(id)).find((d) => d?.role === "refactor" && d.file === task.file && reverted.has(d.output));
      if (!source) continue;
      why.set(task.output, { taskId: task.id, file: task.output, problems: [], reason: `written from ${source.id}, which was reverted` });
      if (written.has(task.output)) dependents.push(task.output);
      else unchecked.add(task.output);
    }
    if (dependents.length === 0) {
      const final = new Set([...closure.reverts.map((r) => r.file), ...unchecked]);
      // Problems no revert settles, where changes no task owns exist: those changes may be their cause.
      const hasUnowned = removed.length > 0 || [...written.keys()].some((f) => !owner.has(f));
      if (hasUnowned) for (const p of closure.remaining) unowned.add(p.file);
      return { reverts: [...why.keys()].filter((f) => final.has(f)).map((f) => why.get(f)!), remaining: closure.remaining, unowned: [...unowned].sort() };
    }
    broken = new Set([...closure.reverts.map((r) => r.file), ...dependents]);
  }
}

function revertMessage(revert: ReportRevert): string {
  if (revert.reason !== undefined && revert.problems.length === 0) return `reverted by validation: ${revert.reason}`;
  const first = revert.problems[0];
  const where = first ? ` (${first.file}${first.line ? `:${first.line}` : ""} ${first.code}: ${first.message})` : "";
  return `reverted by validation: ${revert.problems.length} problem(s) left after repair${where}`;
}

export interface RunValidationInput {
  baseline: Baseline | null;
  config: ResolvedConfig;
  plan: Plan;
  instruction: string;
  results: ReadonlyMap<TaskId, TaskResult>;
  /** Repairs only follow a pass that completed: a drained or over-budget run reverts instead. */
  isMainPassComplete: boolean;
  /** Provider, bus, journal, budgets: what repair steps share with the main pass. */
  engine: RepairEngineDeps;
  countTokens: (text: string) => number;
  isChange(task: Task, content: string): boolean;
  /** See ValidateChangesInput.onlyFiles. */
  onlyFiles?: ReadonlySet<RepoPath>;
  /** See ValidateChangesInput.extra. */
  extra?: ExtraChanges;
}

export interface RunValidationResult extends ValidationOutcome {
  /** Repair steps, journaled; the report adds them to the run's steps. */
  steps: StepRecord[];
  /** The run's spend after repairs (the main pass's included). */
  spentUSD: number;
}

/** The pipeline's validate stage: validateChanges with repairs through the engine. Null when validation is off. */
export async function runValidation(input: RunValidationInput): Promise<RunValidationResult | null> {
  if (!input.config.validate.enabled || input.baseline === null) return null;
  const session = createRepairSession(input.engine);
  const gates = commandGatesFor(input.baseline, input.config);
  let outcome: ValidationOutcome;
  try {
    outcome = await validateChanges({
      baseline: input.baseline,
      plan: input.plan,
      results: input.results,
      bus: input.engine.bus,
      maxRepairs: input.isMainPassComplete ? input.config.validate.maxRepairs : 0,
      repair: session.run,
      prompt: {
        instruction: input.instruction,
        conventions: input.config.conventions,
        maxContextTokens: input.config.context.maxTokens,
        countTokens: input.countTokens,
        edits: { setting: input.config.editFormat, thresholdTokens: input.config.editThresholdTokens },
      },
      isChange: input.isChange,
      publicApi: input.config.validate.publicApi,
      ...(input.onlyFiles ? { onlyFiles: input.onlyFiles } : {}),
      ...(input.extra ? { extra: input.extra } : {}),
      ...(gates ? { gates } : {}),
    });
  } catch (error) {
    // A checker bug must not throw away what the agents did and were paid for: the branch is written
    // unvalidated, and the report says validation did not run.
    if (error instanceof SwarmError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    input.engine.bus.emit({ type: "run.warning", message: `validation failed (this is a bug, please report it): ${message}; the branch is not validated` });
    return null;
  } finally {
    await gates?.close();
  }
  return { ...outcome, steps: session.steps, spentUSD: session.spentUSD() };
}

/** Pure: the command gates' settings from the user's config (never from model output); the API key never reaches them. */
export function commandGatesConfig(config: ResolvedConfig): CommandGatesConfig {
  const { commands, commandTimeoutMs, commandOutputBytes } = config.validate;
  return { commands, timeoutMs: commandTimeoutMs, outputBytes: commandOutputBytes, removeEnv: [config.provider.apiKeyEnv, "OPENAI_API_KEY"] };
}

/** The user's gate commands, from their config only; null when none is configured. */
function commandGatesFor(baseline: Baseline, config: ResolvedConfig): CommandGates | null {
  const gatesConfig = commandGatesConfig(config);
  if (!hasCommandGates(gatesConfig) || baseline.source === undefined) return null;
  const packageDirs = packageDirsOf(baseline.files.keys());
  return createCommandGates({ repo: baseline.source.top, headSha: baseline.source.headSha, headFiles: baseline.files, packageDirs, config: gatesConfig });
}
