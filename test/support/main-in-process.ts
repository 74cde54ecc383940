import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";
import { createRedactor } from "../../src/util/redact.js";
import { cliEnv } from "./run-cli.js";

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `swarm <args>` in this process, through the same composition root as bin/swarm.js, with the
 * controlled environment of run-cli.ts (plain output, CI, a fake key). No `npm run build` needed,
 * and the loopback server's request log sees every request.
 */
export async function runMain(args: string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<MainResult> {
  let stdout = "";
  let stderr = "";
  const out = { write: (chunk: string) => ((stdout += chunk), true), isTTY: false } as unknown as CliIO["stdout"];
  const io: CliIO = {
    stdout: out,
    stderr: { write: (chunk: string) => ((stderr += chunk), true), isTTY: false },
    env,
    cwd: process.cwd(),
    exitCode: { value: 0 },
    redact: createRedactor(env),
    installSignals: () => () => {},
  };
  const code = await main(["node", "swarm", ...args], io);
  return { code, stdout, stderr };
}
