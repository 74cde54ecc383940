// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function with file:line, and
// inclusive time per file, so hot spots are named rather than guessed.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const sourceLines = new Map<string, string[] | null>();

/** dist/x.js frames point at compiled lines; name the src/x.ts line that defines the function instead. */
function srcLocation(repoRelativeUrl: string, functionName: string, fallbackLine: number): string {
  if (!repoRelativeUrl.startsWith("dist/") || !functionName || functionName.startsWith("(")) return `${repoRelativeUrl}:${fallbackLine}`;
  const src = repoRelativeUrl.replace(/^dist\//, "src/").replace(/\.js$/, ".ts");
  let lines = sourceLines.get(src);
  if (lines === undefined) {
    try {
      lines = readFileSync(path.join(ROOT, src), "utf8").split("\n");
    } catch {
      lines = null;
    }
    sourceLines.set(src, lines);
  }
  const name = functionName.replace(/^(get|set) /, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const definition = new RegExp(`(function\\s+${name}\\b|\\b${name}\\s*(=|:|\\())`);
  const index = lines?.findIndex((l) => definition.test(l)) ?? -1;
  return index === -1 ? `${repoRelativeUrl}:${fallbackLine}` : `${src}:${index + 1}`;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  where: string;
  selfMs: number;
  totalMs: number;
}

/** Who a sample's CPU belongs to: the nearest frame (leaf first) that is the HTTP client or our code. */
export type CostCategory = "http client (openai SDK + fetch)" | "swarm code (src/, dist/)" | "garbage collector" | "node internals";

export async function summarizeProfile(
  file: string,
  opts: { top?: number; filter?: (url: string) => boolean } = {},
): Promise<{ totalMs: number; self: HotSpot[]; inclusive: HotSpot[]; byCategory: Record<CostCategory, number> }> {
  const profile = JSON.parse(await readFile(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const label = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^file:\/\//, "").split(ROOT).join("");
    return `${n.callFrame.functionName || "(anonymous)"} ${srcLocation(url, n.callFrame.functionName, n.callFrame.lineNumber + 1)}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  const byCategory: Record<CostCategory, number> = { "http client (openai SDK + fetch)": 0, "swarm code (src/, dist/)": 0, "garbage collector": 0, "node internals": 0 };
  const categoryOf = (leaf: number): CostCategory | null => {
    const name = byId.get(leaf)!.callFrame.functionName;
    if (name === "(idle)" || name === "(root)") return null;
    if (name === "(garbage collector)") return "garbage collector";
    for (let cur: number | undefined = leaf; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url;
      if (url.includes("node_modules/openai") || url.includes("undici")) return "http client (openai SDK + fetch)";
      if (/\/(src|dist)\//.test(url) && !url.includes("node_modules")) return "swarm code (src/, dist/)";
    }
    return "node internals";
  };
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const category = categoryOf(id);
    if (category) byCategory[category] += us / 1000;
    totalUs += us;
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    // Inclusive: count each distinct frame label once per sample stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
  }
  const top = opts.top ?? 25;
  const keep = (l: string) => !/^\((idle|program|root|garbage collector)\)/.test(l) || l.startsWith("(garbage");
  const toList = (m: Map<string, number>) =>
    [...m.entries()].filter(([l]) => keep(l) && (!opts.filter || opts.filter(l))).sort((a, b) => b[1] - a[1]).slice(0, top).map(([where]) => ({ where, selfMs: Math.round((self.get(where) ?? 0) / 100) / 10, totalMs: Math.round((inclusive.get(where) ?? 0) / 100) / 10 }));
  return { totalMs: totalUs / 1000, self: toList(self), inclusive: toList(inclusive), byCategory };
}

if (process.argv[1]?.endsWith("profile-summary.ts")) {
  const file = process.argv[2]!;
  const r = await summarizeProfile(file, { top: Number(process.argv[3] ?? 30) });
  console.log(`total sampled ${Math.round(r.totalMs)} ms`, r.byCategory);
  console.log("--- self");
  for (const h of r.self) console.log(`${String(h.selfMs).padStart(8)} ms  ${h.where}`);
  console.log("--- inclusive");
  for (const h of r.inclusive) console.log(`${String(h.totalMs).padStart(8)} ms  ${h.where}`);
}
