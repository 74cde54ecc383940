import { describe, expect, it } from "vitest";
import type { Plan, Task } from "../../../src/core/index.js";
import { checkShardSet, partitionPlan, planFingerprint, shardPlan, type ShardManifest } from "../../../src/shard/index.js";

const task = (role: Task["role"], file: string, bytes: number): Task => ({
  id: `${role}:${file}`, role, file, output: role === "refactor" ? file : `${file}.${role}`, bytes, dependsOn: role === "refactor" ? [] : [`refactor:${file}`],
});
function planOf(sizes: Record<string, number>): Plan {
  const files = Object.keys(sizes);
  const tasks = [...files.map((f) => task("refactor", f, sizes[f]!)), ...files.map((f) => task("test", f, sizes[f]!))];
  return { version: 1, roles: ["refactor", "test"], tasks, files: files.map((path) => ({ path, bytes: sizes[path]! })), skips: [] };
}
const weight = (plan: Plan) => (id: string) => plan.tasks.find((t) => t.id === id)!.bytes;

describe("partitionPlan", () => {
  const sizes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`src/f${String(i).padStart(2, "0")}.ts`, 100 + ((i * 37) % 23) * 10]));

  it("is the same whatever order the plan lists its files in", () => {
    const plan = planOf(sizes);
    const reversed = { ...plan, tasks: [...plan.tasks].reverse(), files: [...plan.files].reverse() };
    const a = partitionPlan({ plan, count: 4, weightOf: weight(plan) });
    const b = partitionPlan({ plan: reversed, count: 4, weightOf: weight(plan) });
    expect([...b.shardOf].sort()).toEqual([...a.shardOf].sort());
    expect(b.loads).toEqual(a.loads);
  });

  it("keeps every role of a file, and every file of an import cycle, in one shard", () => {
    const plan = planOf(sizes);
    const imports = new Map([["src/f01.ts", ["src/f02.ts"]], ["src/f02.ts", ["src/f03.ts"]], ["src/f03.ts", ["src/f01.ts"]], ["src/f04.ts", ["src/f01.ts"]]]);
    const p = partitionPlan({ plan, count: 4, weightOf: weight(plan), imports });
    expect(new Set(["src/f01.ts", "src/f02.ts", "src/f03.ts"].map((f) => p.shardOf.get(f))).size).toBe(1);
    const parts = [1, 2, 3, 4].map((k) => shardPlan(plan, p, k));
    expect(parts.flatMap((part) => part.tasks.map((t) => t.id)).sort()).toEqual(plan.tasks.map((t) => t.id).sort());
    for (const part of parts) {
      const ids = new Set(part.tasks.map((t) => t.id));
      for (const t of part.tasks) for (const d of t.dependsOn) expect(ids.has(d)).toBe(true);
      for (const t of part.tasks.filter((x) => x.role === "test")) expect(ids.has(`refactor:${t.file}`)).toBe(true);
    }
  });

  it("balances the shards by weight: no shard is heavier than the lightest by more than the heaviest file", () => {
    const plan = planOf(sizes);
    const p = partitionPlan({ plan, count: 4, weightOf: weight(plan) });
    const heaviestFile = Math.max(...Object.values(sizes)) * 2;
    expect(Math.max(...p.loads) - Math.min(...p.loads)).toBeLessThanOrEqual(heaviestFile);
    expect(p.loads.reduce((a, b) => a + b, 0)).toBe(plan.tasks.reduce((a, t) => a + t.bytes, 0));
  });
});

describe("shard set", () => {
  const manifest = (index: number, fingerprint = "f1", count = 3) => ({ fingerprint, shard: { index, count }, runId: `r${index}`, headSha: "h", tip: null, report: {}, journal: "" }) as ShardManifest;

  it("names missing, foreign and repeated shards", () => {
    const set = checkShardSet(
      [{ file: "a", manifest: manifest(1) }, { file: "b", manifest: manifest(3, "other") }, { file: "c", manifest: manifest(1) }, { file: "d", manifest: manifest(2, "f1", 4) }],
      { fingerprint: "f1", count: 3 },
    );
    expect(set.accepted.map((a) => a.file)).toEqual(["a"]);
    expect(set.missing).toEqual([2, 3]);
    expect(set.foreign.map((f) => f.file)).toEqual(["b", "c", "d"]);
  });

  it("fingerprints differ by shard count and instruction, not by endpoint settings", () => {
    const plan = planOf({ "a.ts": 10 });
    const config = { provider: { model: "m", baseURL: "x" }, roles: ["refactor"], concurrency: 4 } as never;
    const base = { headSha: "h", instruction: "i", config, plan, count: 2 };
    const fp = planFingerprint(base);
    expect(planFingerprint({ ...base, config: { ...(config as object), concurrency: 9, provider: { model: "m", baseURL: "y" } } as never })).toBe(fp);
    expect(planFingerprint({ ...base, count: 3 })).not.toBe(fp);
    expect(planFingerprint({ ...base, instruction: "j" })).not.toBe(fp);
  });
});
