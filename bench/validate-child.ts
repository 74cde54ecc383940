// Child process for the validation scenario: baseline of a generated TS repo, then the check of a
// snapshot where 1% of the files changed (the loopback's refactor marker plus a new export; every
// tenth changed file also loses an export its importers use, so the check has problems to find).
// Usage: node --import tsx bench/validate-child.ts '<json input>' <result.json>
import { writeFile } from "node:fs/promises";
import { computeBaseline, checkChanges } from "../src/validate/baseline.js";
import { selfUsage } from "./common.js";
import { readAll, trackedPaths } from "./repo-files.js";

export interface ValidateChildInput {
  repo: string;
  changedFraction: number;
  /** Load the repo's installed packages (its node_modules) for the full type gate (issue 12). */
  environment?: boolean;
}

export interface ValidateChildOutput {
  files: number;
  changed: number;
  scope: number;
  problems: number;
  baselineMs: number;
  checkMs: number;
  cpuMs: number;
  baselineCpuMs: number;
  checkCpuMs: number;
  maxRssMB: number;
}

const [inputJson, outFile] = process.argv.slice(2);
const input = JSON.parse(inputJson!) as ValidateChildInput;
const files = await readAll(input.repo, trackedPaths(input.repo));
const sources = [...files.keys()].filter((p) => p.endsWith(".ts")).sort();
const every = Math.max(1, Math.round(1 / input.changedFraction));
const written = new Map<string, string>();
sources.forEach((p, i) => {
  if (i % every !== every - 1) return;
  let text = `// refactored by loopback\n${files.get(p)!}\nexport const touched${i} = ${i};\n`;
  // Break an export some importer may use: rename the first exported function.
  if (written.size % 10 === 0) text = text.replace(/export function (\w+)\(/, "export function $1Renamed(");
  written.set(p, text);
});

const c0 = selfUsage();
const t0 = performance.now();
const baseline = computeBaseline(files, input.environment ? { environment: { root: input.repo } } : {});
const t1 = performance.now();
const c1 = selfUsage();
const check = checkChanges(baseline, { written });
const t2 = performance.now();
const c2 = selfUsage();
const out: ValidateChildOutput = {
  files: sources.length,
  changed: written.size,
  scope: check.scope.size,
  problems: check.problems.length,
  baselineMs: t1 - t0,
  checkMs: t2 - t1,
  cpuMs: c2.cpuMs - c0.cpuMs,
  baselineCpuMs: c1.cpuMs - c0.cpuMs,
  checkCpuMs: c2.cpuMs - c1.cpuMs,
  maxRssMB: selfUsage().maxRssMB,
};
await writeFile(outFile!, JSON.stringify(out));
