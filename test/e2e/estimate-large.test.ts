// Issue 16: `swarm estimate` takes HEAD's import graph without the checks' compiler (a graph-only baseline), and
// counts each prompt by its parts. Neither may change a figure: the CLI's estimate must equal the one a run
// computes in-process, from the full baseline.
import { describe, expect, it } from "vitest";
import { prepareRun } from "../../src/prepare/index.js";
import { generateGitRepo } from "../support/generate-repo.js";
import { cliEnv, runCli } from "../support/run-cli.js";

const INSTRUCTION = "Add JSDoc to every exported function";

describe("swarm estimate on a generated 150-file repository", () => {
  it("equals the run's own estimate, token for token", async () => {
    const repo = await generateGitRepo({ files: 150, seed: 16, avgBytes: 1200 });
    try {
      const cli = await runCli(["estimate", repo.dir, "-i", INSTRUCTION, "--json"], { env: cliEnv() });
      expect(cli.code).toBe(0);
      const shown = (JSON.parse(cli.stdout) as { estimate: { total: unknown; byRole: unknown; lines: unknown } }).estimate;
      const run = await prepareRun({ repo: repo.dir, overrides: { instruction: INSTRUCTION }, needsInstruction: true });
      expect(run.baseline?.typeCheck).not.toBe("none");
      expect(run.estimate.total.tasks).toBe(450);
      expect(shown.total).toEqual(run.estimate.total);
      expect(shown.byRole).toEqual(run.estimate.byRole);
      expect(shown.lines).toEqual(run.estimate.lines);
    } finally {
      await repo.cleanup();
    }
  });
});
