// Child process for the scan/graph scenario. mode "floor": list and read every tracked file, nothing
// else. mode "graph": read them (untimed), then time buildImportGraph alone.
// Usage: node --import tsx bench/scan-child.ts '<json input>' <result.json>
import { writeFile } from "node:fs/promises";
import { buildImportGraph } from "../src/graph/build-graph.js";
import { selfUsage } from "./common.js";
import { readAll, trackedPaths } from "./repo-files.js";

export interface ScanChildInput {
  repo: string;
  mode: "floor" | "graph";
}

export interface ScanChildOutput {
  files: number;
  bytes: number;
  ms: number;
  cpuMs: number;
  maxRssMB: number;
  edges?: number;
}

const [inputJson, outFile] = process.argv.slice(2);
const input = JSON.parse(inputJson!) as ScanChildInput;
let out: ScanChildOutput;
if (input.mode === "floor") {
  const c0 = selfUsage();
  const t0 = performance.now();
  const files = await readAll(input.repo, trackedPaths(input.repo));
  const ms = performance.now() - t0;
  let bytes = 0;
  for (const text of files.values()) bytes += text.length;
  out = { files: files.size, bytes, ms, cpuMs: selfUsage().cpuMs - c0.cpuMs, maxRssMB: selfUsage().maxRssMB };
} else {
  const files = await readAll(input.repo, trackedPaths(input.repo));
  const c0 = selfUsage();
  const t0 = performance.now();
  const graph = buildImportGraph(files);
  const ms = performance.now() - t0;
  let bytes = 0;
  for (const text of files.values()) bytes += text.length;
  let edges = 0;
  for (const p of graph.files.keys()) edges += graph.dependenciesOf(p).length;
  out = { files: files.size, bytes, ms, cpuMs: selfUsage().cpuMs - c0.cpuMs, maxRssMB: selfUsage().maxRssMB, edges };
}
await writeFile(outFile!, JSON.stringify(out));
