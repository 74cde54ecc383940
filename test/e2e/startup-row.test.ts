import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, type TempRepo } from "../support/git-repo.js";
import { cliEnv, SWARM_BIN } from "../support/run-cli.js";

// bin/swarm.js writes "swarm: starting…" on an interactive stderr while the CLI loads, and the CLI clears that
// row (issue 17). Under CI, or when nothing was written, the terminal (a CI runner's pty too) gets no escape code.
// util-linux `script` gives the CLI a real pseudo-terminal; its output is what the terminal received.
const SCRIPT = "/usr/bin/script";
const run = promisify(execFile);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function inTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const command = [process.execPath, SWARM_BIN, ...args].map(quote).join(" ");
  const { stdout } = await run(SCRIPT, ["-qec", command, "/dev/null"], { env, encoding: "utf8", timeout: 60_000 });
  return stdout;
}

let repo: TempRepo;
beforeAll(async () => {
  repo = await gitRepo({ "a.ts": "export const a = 1;\n" });
});
afterAll(async () => {
  await repo?.cleanup();
});

describe.skipIf(!existsSync(SCRIPT))("the startup row on a terminal", () => {
  it("under CI (CI=true, or GITHUB_ACTIONS=true alone) writes no row and no escape code", async () => {
    for (const ci of [{ CI: "true" }, { CI: undefined, GITHUB_ACTIONS: "true" }]) {
      const out = await inTerminal(["plan", repo.dir], cliEnv(ci));
      expect(out).toContain("a.ts");
      expect(out).not.toContain("starting");
      expect(out).not.toContain("\x1b");
    }
  });

  it("outside CI clears only a row it wrote: none for --version", async () => {
    const out = await inTerminal(["--version"], cliEnv({ CI: undefined }));
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(out).not.toContain("\x1b");
  });
});
