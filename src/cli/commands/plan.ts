import { preparePlan } from "../../prepare/index.js";
import { renderPlan } from "../../report/index.js";
import { printable } from "../../util/index.js";
import type { CommonFlags } from "../program.js";
import type { CliIO } from "../io.js";
import { prepareOptions } from "./options.js";
import { phaseStatus } from "./phase-status.js";

export async function planCommand(repo: string, flags: CommonFlags, io: CliIO): Promise<void> {
  const status = phaseStatus(io.stderr, io.env);
  status?.phase("scanning");
  const prepared = await preparePlan({ ...prepareOptions(repo, flags, false, io.cwd), needsBaseline: false, ...(status ? { onPhase: (p, n) => status.phase(p, n) } : {}) }).finally(() => status?.stop());
  for (const w of prepared.scan.warnings) io.stderr.write(`warning: ${printable(w)}\n`);
  if (flags.json) {
    io.stdout.write(JSON.stringify({ repo: prepared.repo.top, headSha: prepared.repo.headSha, ...prepared.plan }, null, 2) + "\n");
    return;
  }
  io.stdout.write(renderPlan({ repo: prepared.repo.path, headSha: prepared.repo.headSha, plan: prepared.plan }));
}
