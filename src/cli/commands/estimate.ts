import { prepareRun } from "../../pipeline.js";
import { renderEstimate } from "../../report/render-estimate.js";
import type { CommonFlags } from "../program.js";
import type { CliIO } from "./index.js";
import { prepareOptions } from "./options.js";

/** Never builds a provider: an estimate sends no request and needs no API key. */
export async function estimateCommand(repo: string, flags: CommonFlags, io: CliIO): Promise<void> {
  const prepared = await prepareRun(prepareOptions(repo, flags, true, io.cwd));
  for (const w of prepared.scan.warnings) io.stderr.write(`warning: ${w}\n`);
  const { estimate, plan, config } = prepared;
  if (flags.json) {
    io.stdout.write(JSON.stringify({ repo: prepared.repo.top, headSha: prepared.repo.headSha, tasks: plan.tasks.length, files: plan.files.length, skipped: plan.skips.length, concurrency: config.concurrency, model: config.provider.model, estimate }, null, 2) + "\n");
    return;
  }
  io.stdout.write(renderEstimate({ repo: prepared.repo.path, plan, estimate, concurrency: config.concurrency, assumedLatencyMs: config.estimate.assumedLatencyMs, model: config.provider.model }));
}
