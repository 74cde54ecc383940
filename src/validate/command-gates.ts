// The user's own typecheck, lint and test commands as gates: run once at HEAD (the baseline), then on
// each candidate result, in a temporary worktree with the user's node_modules linked in. What they
// report is turned into file-level problems; what HEAD already fails never counts.
import type { RepoPath } from "../core/index.js";
import { type CommandOutcome, type CommandStatus, type GateWorktree, openGateWorktree, runCommand } from "../git/index.js";
import { newProblems } from "./checks.js";
import { expandCommand, failedTestFiles, outputExcerpt, parseGateOutput } from "./gate-output.js";
import type { ImportProblem, ReportGate } from "./types.js";

export type GateName = "typecheck" | "lint" | "test";
const GATE_NAMES: readonly GateName[] = ["typecheck", "lint", "test"];

export interface CommandGatesConfig {
  commands: Partial<Record<GateName, string>>;
  timeoutMs: number;
  outputBytes: number;
  /** Environment variables the commands never see (the provider's API key). */
  removeEnv: readonly string[];
}

export interface GateCheckInput {
  /** Every file the run currently writes (content), and files it removed. */
  written: ReadonlyMap<RepoPath, string>;
  /** Files the gates look at: `{files}`. */
  files: readonly RepoPath[];
  /** Test files to run: `{tests}`. */
  tests: readonly RepoPath[];
}

export interface CommandGates {
  /** Problems the gates report on this result that HEAD did not have. */
  check(input: GateCheckInput): Promise<ImportProblem[]>;
  /** One line per gate, for the report. */
  outcomes(): ReportGate[];
  close(): Promise<void>;
}

const UNUSABLE: ReadonlySet<CommandStatus> = new Set(["not-found", "timed-out", "crashed"]);

export function hasCommandGates(config: CommandGatesConfig): boolean {
  return GATE_NAMES.some((g) => config.commands[g] !== undefined);
}

/** Pure: the folders holding a package.json (where the user's node_modules may be linked in), "" for the root. */
export function packageDirsOf(paths: Iterable<RepoPath>): RepoPath[] {
  return [...paths]
    .filter((p) => /(^|\/)package\.json$/.test(p) && !p.includes("node_modules/"))
    .map((p) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : ""));
}

export function createCommandGates(input: {
  repo: string;
  headSha: string;
  headFiles: ReadonlyMap<RepoPath, string>;
  packageDirs: readonly RepoPath[];
  config: CommandGatesConfig;
  tmpDir?: string;
}): CommandGates {
  const { config, headFiles } = input;
  let tree: GateWorktree | null = null;
  let onTree = new Map<RepoPath, string>();
  const reports = new Map<GateName, ReportGate>();
  const headProblems = new Map<GateName, ImportProblem[]>();
  const headFailingTests = new Set<RepoPath>();
  const testedAtHead = new Set<RepoPath>();
  let baselineDone = false;

  const run = (command: string): Promise<CommandOutcome> =>
    runCommand(command, { cwd: tree!.dir, timeoutMs: config.timeoutMs, maxOutputBytes: config.outputBytes, removeEnv: config.removeEnv });
  const known = (p: RepoPath) => headFiles.has(p) || onTree.has(p);
  const report = (gate: GateName, patch: Partial<ReportGate>) => {
    const before = reports.get(gate) ?? { gate, command: config.commands[gate]!, head: "not-run", result: "not-run" };
    reports.set(gate, { ...before, ...patch });
  };
  const isUsable = (gate: GateName) => !UNUSABLE.has((reports.get(gate)?.head ?? "passed") as CommandStatus);
  const unusableMessage = (gate: GateName, outcome: CommandOutcome) =>
    `${gate} command "${config.commands[gate]}" ${outcome.status === "not-found" ? "was not found" : outcome.status === "timed-out" ? `did not finish within ${config.timeoutMs} ms` : "crashed"}; the gate did not run and causes no revert`;

  /** Test files that fail when run together, then one by one when the output names none. */
  const failingTests = async (template: string, tests: readonly RepoPath[]): Promise<{ failed: Map<RepoPath, string>; outcome: CommandOutcome | null }> => {
    const failed = new Map<RepoPath, string>();
    const command = expandCommand(template, { files: tests, tests });
    if (command === null) return { failed, outcome: null };
    const outcome = await run(command);
    if (outcome.status !== "failed") return { failed, outcome };
    const named = failedTestFiles(outcome.output, tests);
    if (named.length > 0 && tests.length > 1) {
      for (const t of named) failed.set(t, outcome.output);
      return { failed, outcome };
    }
    if (tests.length === 1) return { failed: new Map([[tests[0]!, outcome.output]]), outcome };
    for (const test of tests) {
      const single = await run(expandCommand(template, { files: [test], tests: [test] })!);
      if (single.status === "failed") failed.set(test, single.output);
    }
    return { failed, outcome };
  };

  const baseline = async (files: readonly RepoPath[], tests: readonly RepoPath[]) => {
    baselineDone = true;
    for (const gate of GATE_NAMES) {
      const template = config.commands[gate];
      if (template === undefined) continue;
      if (gate === "test") {
        const atHead = tests.filter((t) => headFiles.has(t));
        for (const t of atHead) testedAtHead.add(t);
        const { failed, outcome } = await failingTests(template, atHead);
        for (const t of failed.keys()) headFailingTests.add(t);
        report(gate, { head: outcome?.status ?? "not-run" });
        if (outcome && UNUSABLE.has(outcome.status)) report(gate, { message: unusableMessage(gate, outcome) });
        continue;
      }
      const command = expandCommand(template, { files: files.filter((f) => headFiles.has(f)), tests: tests.filter((t) => headFiles.has(t)) });
      if (command === null) continue;
      const outcome = await run(command);
      report(gate, { head: outcome.status, ms: outcome.ms });
      if (UNUSABLE.has(outcome.status)) report(gate, { message: unusableMessage(gate, outcome) });
      else headProblems.set(gate, parseGateOutput(outcome.output, gate, tree!.dir, known));
    }
  };

  const apply = async (written: ReadonlyMap<RepoPath, string>) => {
    const changes = new Map<RepoPath, string | null>();
    for (const path of onTree.keys()) if (!written.has(path)) changes.set(path, headFiles.get(path) ?? null);
    for (const [path, text] of written) if (onTree.get(path) !== text) changes.set(path, text);
    await tree!.write(changes);
    onTree = new Map(written);
  };

  return {
    async check({ written, files, tests }) {
      if (!hasCommandGates(config)) return [];
      tree ??= await openGateWorktree({ repo: input.repo, headSha: input.headSha, packageDirs: input.packageDirs, ...(input.tmpDir ? { tmpDir: input.tmpDir } : {}) });
      if (!baselineDone) await baseline(files, tests);
      await apply(written);
      const problems: ImportProblem[] = [];
      for (const gate of GATE_NAMES) {
        const template = config.commands[gate];
        if (template === undefined || !isUsable(gate)) continue;
        if (gate === "test") {
          // Flaky or broken at HEAD: never a task's fault.
          const toRun = tests.filter((t) => !headFailingTests.has(t));
          const { failed, outcome } = await failingTests(template, toRun);
          // Nothing to run on this result (its failing tests reverted, say): an earlier result's outcome no longer holds.
          if (outcome === null) {
            if (reports.has(gate)) report(gate, { result: "not-run" });
            continue;
          }
          if (UNUSABLE.has(outcome.status)) {
            report(gate, { result: outcome.status, message: unusableMessage(gate, outcome) });
            continue;
          }
          report(gate, { result: failed.size > 0 ? "failed" : outcome.status === "failed" ? "failed" : "passed", ms: outcome.ms });
          for (const [test, output] of failed) {
            problems.push({ file: test, code: "test-failed", message: `the test fails when run with \`${template}\`:\n${outputExcerpt(output)}` });
          }
          continue;
        }
        const command = expandCommand(template, { files: files.filter(known), tests });
        if (command === null) {
          if (reports.has(gate)) report(gate, { result: "not-run" });
          continue;
        }
        const outcome = await run(command);
        if (UNUSABLE.has(outcome.status)) {
          report(gate, { result: outcome.status, message: unusableMessage(gate, outcome) });
          continue;
        }
        const found = parseGateOutput(outcome.output, gate, tree.dir, known);
        const fresh = newProblems(headProblems.get(gate) ?? [], found);
        // A failure that names no file HEAD did not have is HEAD's failure, or one nobody can be blamed for.
        report(gate, { result: fresh.length > 0 || (outcome.status === "failed" && reports.get(gate)?.head === "passed") ? "failed" : "passed", ms: outcome.ms });
        problems.push(...fresh);
      }
      return problems;
    },
    outcomes: () => [...reports.values()],
    async close() {
      if (tree) await tree.remove();
      tree = null;
    },
  };
}
