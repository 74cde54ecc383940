// Scenario 7 of `npm run bench`: the type gate on a generated 3,000-file TS repo with 1% of its files
// changed, beside a full `tsc --noEmit` of the changed tree: wall, CPU, peak RSS, and whether the gate
// finds the errors tsc reports in the changed files and their transitive importers.
import { readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BENCH_DIR, ROOT, runChild, runNode } from "./common.js";
import type { TypeGateChildOutput } from "./type-gate-child.js";

export interface TypeGateFigures extends TypeGateChildOutput {
  tscWallMs: number;
  tscCpuMs: number;
  tscRssMB: number;
  tscExit: number | null;
  /** tsc's errors (`file\0code`), those in the gate's scope, and how many of the latter the gate found. */
  tscErrors: number;
  tscInScope: number;
  matched: number;
  /** Errors the gate reported that tsc did not. */
  extra: number;
}

/** Runs the gate in a child, then writes the same changes into `repoDir` (a generated temp repo) and runs tsc. */
export async function typeGateScenario(repoDir: string): Promise<TypeGateFigures> {
  // The repo's "installed packages": this project's node_modules, linked as a user's would be installed.
  await symlink(path.join(ROOT, "node_modules"), path.join(repoDir, "node_modules"), "dir");
  const gate = await runChild<TypeGateChildOutput>("type-gate-child.ts", { repo: repoDir, changedFraction: 0.01 });
  for (const [file, text] of Object.entries(gate.written)) await writeFile(path.join(repoDir, file), text);
  const probe = path.join(os.tmpdir(), `swarm-bench-tsc-gate-${process.pid}.json`);
  const tsc = await runNode(
    ["--import", path.join(BENCH_DIR, "cpu-probe.mjs"), path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit", "--pretty", "false"],
    { env: { ...process.env, BENCH_PROBE_OUT: probe }, cwd: repoDir, timeoutMs: 300_000 },
  );
  const usage = JSON.parse(await readFile(probe, "utf8")) as { cpuMs: number; maxRssMB: number };
  await rm(probe, { force: true });
  const scope = new Set(gate.scope);
  const all = new Set<string>();
  for (const m of tsc.stdout.matchAll(/^(.+?)\(\d+,\d+\): error (TS\d+)/gm)) all.add(`${m[1]}\0${m[2]}`);
  const errors = new Set([...all].filter((e) => scope.has(e.slice(0, e.indexOf("\0")))));
  const found = new Set(gate.found);
  return {
    ...gate,
    tscWallMs: tsc.wallMs,
    tscCpuMs: usage.cpuMs,
    tscRssMB: usage.maxRssMB,
    tscExit: tsc.code,
    tscErrors: all.size,
    tscInScope: errors.size,
    matched: [...errors].filter((e) => found.has(e)).length,
    extra: [...found].filter((e) => !errors.has(e)).length,
  };
}
