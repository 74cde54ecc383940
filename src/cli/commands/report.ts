import path from "node:path";
import { usageError } from "../../core/index.js";
import { latestRunId, RUN_ID_PATTERN, runDirPaths } from "../../run/index.js";
import { checkRepoState } from "../../git/index.js";
import { renderTerminalReport, type Report } from "../../report/index.js";
import { readJson } from "../../util/index.js";
import type { CliIO } from "../io.js";

export async function reportCommand(runId: string | undefined, repo: string, flags: { json?: boolean }, io: CliIO): Promise<void> {
  const { top } = await checkRepoState(path.resolve(io.cwd, repo), {});
  // A path here is the usual slip (`swarm report ../repo`): say so instead of failing inside run-dir.
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    throw usageError(`run id: expected YYYYMMDD-HHMMSS-xxxx, got \`${runId}\``, "the repository goes after -C: swarm report -C <repo> [run-id]");
  }
  const id = runId ?? (await latestRunId(top, { withReport: true }));
  if (!id) throw usageError(`no runs in ${path.join(top, ".swarm", "runs")}`, "swarm run writes one");
  const paths = runDirPaths(top, id);
  const report = await readJson<Report>(paths.reportJson).catch(() => {
    throw usageError(`run ${id} has no report yet (${paths.reportJson})`, `an interrupted run can be continued: swarm resume ${id}`);
  });
  if (flags.json) io.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else io.stdout.write(renderTerminalReport(report, { color: io.stdout.isTTY === true && !io.env.NO_COLOR }));
}
