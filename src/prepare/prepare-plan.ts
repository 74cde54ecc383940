import path from "node:path";
import { codemodName } from "../codemod/index.js";
import { loadConfig } from "../config/index.js";
import { SwarmError, SwarmErrorCode, usageError, type Plan, type TaskId } from "../core/index.js";
import { checkRepoState, findUnsafeOutputs, readHeadFiles } from "../git/index.js";
import { budgetFitWarnings, buildPlan, candidateTests, dropTasks, testedBy } from "../plan/index.js";
import { importMap } from "../prompt/index.js";
import { scanRepo, secretReason, type ScanResult } from "../scan/index.js";
import { prepareBaseline } from "../validate/index.js";
import { tasksThatCannotFit } from "./model-fit.js";
import type { PrepareOptions, PreparedPlan } from "./types.js";

/**
 * scan → graph → plan, with no request sent:
 * - repo state first, so a wrong path or a bare repo gets its own message;
 * - the scan reads HEAD, which is what the branch will be made from;
 * - tasks whose output may not be written (or read) are left out, each with its reason.
 */
export async function preparePlan(options: PrepareOptions, branchToCheck?: string): Promise<PreparedPlan> {
  const repo = await checkRepoState(path.resolve(options.repo), { branch: branchToCheck });
  // A folder inside a repository scopes the run to it (`swarm run packages/api`); its config sits beside it.
  const { config, source } = await loadConfig(repo.path, options.configPath, options.overrides);
  // A codemod is an instruction of its own (a built-in needs no other); the model's hand-offs then get its name.
  const instruction = (config.instruction ?? "").trim() || (config.codemod === undefined ? "" : `codemod ${codemodName(config.codemod)}`);
  if (options.needsInstruction && instruction === "") {
    throw usageError("no instruction: pass -i \"what to change\" or set \"instruction\" in swarm.config.json");
  }
  // Files over maxFileBytes may still be refactored with edits (answerFormatOf), up to maxEditFileBytes.
  const editsLarger = config.editFormat !== "whole" && config.maxEditFileBytes > config.maxFileBytes;
  const sizeLimit = editsLarger ? { maxFileBytes: config.maxEditFileBytes, maxFileBytesName: "maxEditFileBytes" } : {};
  const scan = await scanRepo(repo.top, { ...config, ...sizeLimit, scope: repo.prefix });
  if (scan.files.length === 0) {
    throw nothingToDo(config.include, repo.prefix, scan);
  }
  if (options.needsBaseline !== false || config.order === "dependencies-first") options.onPhase?.("graph", scan.files.length);
  const baseline = options.needsBaseline === false && config.order !== "dependencies-first" ? null : await prepareBaseline(repo.top, scan, config, { graphOnly: (options.needsBaseline ?? true) !== true });
  const imports = baseline && config.order === "dependencies-first" ? { imports: importMap(baseline.graph, scan.files.map((f) => f.path)) } : {};
  const sources = scan.files.map((f) => f.path);
  const candidates = config.roles.includes("test") ? candidateTests(sources, scan.repoPaths) : [];
  const candidateTexts = await readHeadFiles(repo.top, candidates); // none: an empty map, nothing read
  const tested = candidateTexts.size > 0 ? { testedBy: testedBy(sources, candidateTexts) } : {};
  const planned = buildPlan({ files: scan.files, skips: scan.skips, allPaths: scan.allPaths, repoPaths: scan.repoPaths, roles: config.roles, order: config.order, root: repo.prefix, docsDir: config.output.docsDir, ...imports, ...tested });
  const files = new Map(scan.files.map((f) => [f.path, f]));
  // A folder run's tests may live outside the folder (uptime-kuma's `server/` is tested from `test/backend-test/`).
  const atHead = new Set(scan.repoPaths);
  const outputsAtHead = planned.tasks.map((t) => t.output).filter((p) => !files.has(p) && atHead.has(p));
  // The existing tests read for testedBy are most of these: each is read once.
  const existingOutputs = await readHeadFiles(repo.top, outputsAtHead.filter((p) => !candidateTexts.has(p)));
  for (const p of outputsAtHead) if (candidateTexts.has(p)) existingOutputs.set(p, candidateTexts.get(p)!);
  const writable = dropTasks(planned, await unwritableOutputs(repo.top, planned, existingOutputs));
  // Left out before any request rather than cut at the model's max output after paying, on every retry.
  const plan = dropTasks(writable, tasksThatCannotFit({ repo, config, configSource: source, instruction, scan, plan: writable, files, existingOutputs, baseline }));
  for (const d of plan.dropped ?? []) scan.warnings.push(`${d.taskId} left out: ${d.output}: ${d.reason}`);
  scan.warnings.push(...budgetFitWarnings({ tasks: plan.tasks.length, estimatedUSD: 0, maxSteps: config.maxSteps, maxCostUSD: null }));
  return { repo, config, configSource: source, instruction, scan, plan, files, existingOutputs, baseline };
}

function nothingToDo(include: readonly string[], prefix: string, scan: ScanResult): SwarmError {
  const where = `at HEAD${prefix ? ` under ${prefix}/` : ""}`;
  // Secret-named files anywhere are listed as skips too; only the others were matched by include.
  const matched = scan.skips.filter((s) => s.reason !== "secret-name");
  if (matched.length === 0) return new SwarmError(SwarmErrorCode.NothingToDo, `no source files to work on: the include globs ${JSON.stringify(include)} matched nothing ${where}`, { hint: "set include in swarm.config.json, or pass the folder that holds the code" });
  const byReason = new Map<string, number>();
  for (const s of matched) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  const reasons = [...byReason].map(([reason, n]) => `${n} ${reason}`).join(", ");
  return new SwarmError(SwarmErrorCode.NothingToDo, `no source files to work on: all ${matched.length} file(s) the include globs matched ${where} were skipped (${reasons})`, { hint: "swarm plan --json lists each skip with its reason" });
}

/**
 * Tasks whose output may not be touched, found before any request: an output that is a symlink or
 * submodule at HEAD (or under one), and an existing test or doc that holds a secret (it would be sent).
 */
async function unwritableOutputs(top: string, plan: Plan, existingOutputs: ReadonlyMap<string, string>): Promise<Map<TaskId, string>> {
  const unsafe = await findUnsafeOutputs(top, plan.tasks.map((t) => t.output));
  const reasons = new Map<TaskId, string>();
  for (const task of plan.tasks) {
    const existing = existingOutputs.get(task.output);
    const secret = existing === undefined ? null : secretReason(task.output, existing);
    const why = unsafe.get(task.output) ?? (secret ? `it exists at HEAD and ${secret}; it is never sent` : undefined);
    if (why) reasons.set(task.id, why);
  }
  return reasons;
}
