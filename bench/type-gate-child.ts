// Child process for the type-gate speed scenario (issue 12, scope 7): HEAD's baseline with the repo's
// installed packages, then the check of a snapshot where 1% of the files changed. Every changed file gets
// the loopback's refactor marker; every fifth also gives its first exported function a required parameter,
// so its callers fail with TS2554, a type-level break that only the compiler sees.
// Usage: node --import tsx bench/type-gate-child.ts '<json input>' <result.json>
import { writeFile } from "node:fs/promises";
import { checkChanges, computeBaseline } from "../src/validate/baseline.js";
import { selfUsage } from "./common.js";
import { readAll, trackedPaths } from "./repo-files.js";

export interface TypeGateChildInput {
  repo: string;
  changedFraction: number;
}

export interface TypeGateChildOutput {
  files: number;
  /** The changed files and their new text: the parent writes them to disk for the full tsc. */
  written: Record<string, string>;
  /** Changed files and their transitive importers: what the gate checks. */
  scope: string[];
  /** Compiler problems the gate found, as `file\0code`. */
  found: string[];
  baselineMs: number;
  checkMs: number;
  baselineCpuMs: number;
  checkCpuMs: number;
  maxRssMB: number;
}

const [inputJson, outFile] = process.argv.slice(2);
const input = JSON.parse(inputJson!) as TypeGateChildInput;
const files = await readAll(input.repo, trackedPaths(input.repo));
const sources = [...files.keys()].filter((p) => p.endsWith(".ts")).sort();
const every = Math.max(1, Math.round(1 / input.changedFraction));
const written = new Map<string, string>();
sources.forEach((p, i) => {
  if (i % every !== every - 1) return;
  let text = `// refactored by loopback\n${files.get(p)!}`;
  if (written.size % 5 === 0) text = text.replace(/export function (\w+)\(/, "export function $1(required: number, ");
  written.set(p, text);
});

const c0 = selfUsage();
const t0 = performance.now();
const baseline = computeBaseline(files, { environment: { root: input.repo } });
const t1 = performance.now();
const c1 = selfUsage();
const check = checkChanges(baseline, { written });
const t2 = performance.now();
const c2 = selfUsage();
const out: TypeGateChildOutput = {
  files: sources.length,
  written: Object.fromEntries(written),
  scope: [...check.scope].sort(),
  found: [...new Set(check.problems.filter((p) => /^ts\d+$/i.test(p.code)).map((p) => `${p.file}\0${p.code.toUpperCase()}`))].sort(),
  baselineMs: t1 - t0,
  checkMs: t2 - t1,
  baselineCpuMs: c1.cpuMs - c0.cpuMs,
  checkCpuMs: c2.cpuMs - c1.cpuMs,
  maxRssMB: selfUsage().maxRssMB,
};
await writeFile(outFile!, JSON.stringify(out));
