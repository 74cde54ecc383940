// `swarm validate`: the cross-file checks alone, on the user's working tree against HEAD.
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import type { ResolvedConfig } from "../config/index.js";
import type { RepoPath } from "../core/index.js";
import { headTree, workingTreeStatus } from "../git/index.js";
import { isParsablePath } from "../graph/index.js";
import { decodeUtf8 } from "../util/index.js";
import { checkChanges, computeBaseline } from "./baseline.js";
import { createCommandGates, hasCommandGates, packageDirsOf } from "./command-gates.js";
import { fallbackNote, findTypeEnvironment, installCommand } from "./environment.js";
import { isTestPath } from "./guards.js";
import type { ImportProblem, ReportGate } from "./types.js";
import { isCheckedPath, isVendored, readHeadSnapshot } from "./head-snapshot.js";
import { commandGatesConfig } from "./validate-run.js";

/** What `swarm validate` found; also its `--json` output. */
export interface WorkingTreeValidation {
  repo: string;
  head: string;
  /** Files that differ from HEAD in the working tree (modified, created, deleted), sorted. */
  changed: RepoPath[];
  /** Files whose problems were compared: the changed ones and their importers. */
  checked: number;
  problems: ImportProblem[];
  /** Which compiler diagnostics counted: "all" with the repository's installed packages, "imports" without. */
  typeCheck: "all" | "imports" | "none";
  /** What the checks could not do (no installed packages, files without a compiler check), one line each. */
  notes: string[];
  /** The configured command gates (validate.commands), run at HEAD and on the working tree's changes. */
  gates?: ReportGate[];
}

/** The content given for a file that is not read: it exists, which is all the graph needs to know. */
const UNREAD = "";

/**
 * - baseline: HEAD's files, read from git (not the disk);
 * - after: HEAD with the working tree's tracked changes and untracked, non-ignored files applied;
 * - the problems the changes introduced.
 * Read-only: git is only asked (status without optional locks), nothing is written to the repo.
 */
export async function validateWorkingTree(
  top: string,
  headSha: string,
  /** The user's config: its validate.commands run as gates. */
  opts: { config?: ResolvedConfig } = {},
): Promise<WorkingTreeValidation> {
  const allPaths = (await headTree(top, headSha)).map((e) => e.path);
  const [head, changes, environment] = await Promise.all([
    readHeadSnapshot(top, { files: [], skips: [], allPaths, headSha }),
    readWorkingTreeChanges(top),
    findTypeEnvironment(top),
  ]);
  // An edited asset that HEAD has already changes nothing for the checks: only whether a path exists matters.
  const unread = new Set(head.otherPaths);
  for (const [p, text] of changes.written) if (text === UNREAD && unread.has(p)) changes.written.delete(p);
  const baseline = computeBaseline(head.files, { otherPaths: head.otherPaths, ...(environment ? { environment } : {}) });
  const check = checkChanges(baseline, { written: changes.written, removed: changes.removed, publicApi: opts.config?.validate.publicApi ?? "keep" });
  const notes: string[] = [];
  if (baseline.typeCheck === "imports") notes.push(fallbackNote(installCommand(new Set(allPaths))));
  if (check.unchecked.length > 0) {
    notes.push(`TypeScript files without a compiler check: ${check.unchecked.map((u) => `${u.file} (${u.reason})`).join(", ")}`);
  }
  const outcome: WorkingTreeValidation = {
    repo: top,
    head: headSha,
    changed: [...check.changed].sort(),
    checked: check.scope.size,
    problems: check.problems,
    typeCheck: baseline.typeCheck,
    notes,
  };
  const gatesConfig = opts.config ? commandGatesConfig(opts.config) : null;
  if (gatesConfig && hasCommandGates(gatesConfig) && check.changed.size > 0) {
    const gates = createCommandGates({ repo: top, headSha, headFiles: head.files, packageDirs: packageDirsOf(head.files.keys()), config: gatesConfig });
    try {
      // Deleted files stay in the gates' worktree: the graph checks already flag every import of them.
      const written = new Map([...changes.written].filter(([, text]) => text !== UNREAD));
      const files = [...new Set([...check.changed, ...check.scope])].filter((f) => check.files.has(f) && isParsablePath(f)).sort();
      outcome.problems = [...outcome.problems, ...(await gates.check({ written, files, tests: files.filter(isTestPath) }))];
    } finally {
      await gates.close();
    }
    outcome.gates = gates.outcomes();
    for (const gate of outcome.gates) if (gate.message !== undefined) notes.push(gate.message);
  }
  return outcome;
}

async function readWorkingTreeChanges(top: string): Promise<{ written: Map<RepoPath, string>; removed: RepoPath[] }> {
  const status = await workingTreeStatus(top);
  const paths = new Set<RepoPath>(status.untracked);
  for (const change of status.changes) {
    paths.add(change.path);
    if (change.origPath !== undefined) paths.add(change.origPath);
  }
  for (const p of paths) if (isVendored(p)) paths.delete(p);
  const written = new Map<RepoPath, string>();
  const removed: RepoPath[] = [];
  await Promise.all(
    [...paths].map(async (p) => {
      const absolute = path.join(top, ...p.split("/"));
      const stat = await lstat(absolute).catch(() => null);
      if (stat === null) return void removed.push(p);
      if (!stat.isFile()) return;
      if (!isCheckedPath(p)) return void written.set(p, UNREAD);
      const decoded = decodeUtf8(await readFile(absolute));
      if (decoded !== null) written.set(p, decoded.text);
    }),
  );
  return { written, removed };
}
