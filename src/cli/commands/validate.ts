import path from "node:path";
import { loadConfig } from "../../config/index.js";
import { ExitCode } from "../../core/index.js";
import { checkRepoState } from "../../git/index.js";
import { plural, printable } from "../../util/index.js";
import { validateWorkingTree, type WorkingTreeValidation } from "../../validate/index.js";
import type { CliIO } from "../io.js";
import { phaseStatus } from "./phase-status.js";

/** `swarm validate [repo]`: prints the problems the working tree's changes introduced against HEAD; exit 1 when there are any. */
export async function validateCommand(repo: string, flags: { json?: boolean; config?: string }, io: CliIO): Promise<void> {
  const state = await checkRepoState(path.resolve(io.cwd, repo));
  // The config's validate.commands run as gates here too, as after a run.
  const { config } = await loadConfig(state.top, flags.config !== undefined ? path.resolve(io.cwd, flags.config) : undefined, {});
  const status = phaseStatus(io.stderr, io.env);
  status?.phase("validating");
  const outcome = await validateWorkingTree(state.top, state.headSha, { config }).finally(() => status?.stop());
  // Notes go to stderr: stdout stays the problems and the summary line.
  if (!flags.json) io.stderr.write(renderNotes(outcome.notes));
  io.stdout.write(flags.json ? `${JSON.stringify(outcome, null, 2)}\n` : renderValidation(outcome));
  if (outcome.problems.length > 0) io.exitCode.value = ExitCode.TasksFailed;
}

/** Pure: the notes as warning lines. They name repository files and quote tools, so they are made printable. */
export function renderNotes(notes: readonly string[]): string {
  return notes.map((note) => `warning: ${printable(note)}\n`).join("");
}

/** Pure: the plain-text report, one line per problem then a summary line. Repo-derived text is made printable. */
export function renderValidation(outcome: WorkingTreeValidation): string {
  const head = outcome.head.slice(0, 12);
  const lines = outcome.problems.map(
    (p) => printable(`${p.file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.message} (${p.code})`),
  );
  for (const gate of outcome.gates ?? []) lines.push(printable(`${gate.gate} (${gate.command}): ${gate.result} (HEAD: ${gate.head})`));
  const changed = plural(outcome.changed.length, "changed file");
  if (outcome.changed.length === 0) lines.push(`no changes against HEAD ${head}`);
  else if (outcome.problems.length === 0) {
    lines.push(`no new problems: ${changed} and their importers checked against HEAD ${head}`);
  } else {
    const files = new Set(outcome.problems.map((p) => p.file)).size;
    const count = outcome.problems.length;
    lines.push(
      `${plural(count, "new problem")} in ${plural(files, "file")} (${changed}, against HEAD ${head})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
