import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { gitRepo, tempDir, type InlineTree, type TempRepo } from "../support/git-repo.js";
import { REFACTOR_MARKER, startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { cliEnv, runCli } from "../support/run-cli.js";

// Issue 19: four shards as separate processes (the built CLI: `npm run build` first), then `swarm merge`.
// Independent checks: the merged tree against a single run's tree, and tsc on the merged branch.

const INSTRUCTION = "Tidy the code";
const TSC = path.resolve(import.meta.dirname, "../../node_modules/typescript/bin/tsc");

/** src/a.ts and src/b.ts (b uses a's export) are the two largest files, so the partition puts them in different shards. */
function tree(): InlineTree {
  const files: InlineTree = {
    "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022" }, include: ["src"] }),
    "package.json": JSON.stringify({ name: "shards-fixture", type: "module", private: true }),
    "swarm.config.json": JSON.stringify({ roles: ["refactor"], validate: { publicApi: "allow" } }),
    "src/a.ts": `export function helper(n: number): number {\n  return n * 2;\n}\n${"// padding line for weight\n".repeat(60)}`,
    "src/b.ts": `import { helper } from "./a.js";\n\nexport const doubled = helper(21);\n${"// padding line for weight\n".repeat(50)}`,
  };
  for (let i = 0; i < 8; i++) files[`src/m${i}.ts`] = `export const value${i} = ${i};\n${"// pad\n".repeat(i + 1)}`;
  return files;
}

let server: LoopbackServer;
/** The first test's shard files, which the missing-shard test merges again without shard 3. */
let firstRun: { repo: TempRepo; files: string[] } | undefined;
let breakExport = false;
beforeAll(async () => {
  server = await startLoopbackServer({
    answer: (req) => (breakExport && req.role === "refactor" && req.file === "src/a.ts" ? `${req.source!.replace("export function helper", "function helper")}${REFACTOR_MARKER}\n` : undefined),
  });
});
afterAll(() => server.close());

const args = () => ["-i", INSTRUCTION, "--base-url", server.url];

async function runShards(repo: TempRepo, count: number): Promise<string[]> {
  const out = tempDir("swarm-shards-");
  mkdirSync(out, { recursive: true });
  const ks = Array.from({ length: count }, (_, i) => i + 1);
  const results = await Promise.all(ks.map((k) => runCli(["run", repo.dir, ...args(), "--shard", `${k}/${count}`, "--bundle-out", path.join(out, `shard-${k}.swarm`)], { env: cliEnv() })));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  return ks.map((k) => path.join(out, `shard-${k}.swarm`));
}

const merge = (repo: TempRepo, files: string[], extra: string[] = [], branch = "swarm/merged") => runCli(["merge", ...files, "-C", repo.dir, ...args(), "--branch", branch, "--json", ...extra], { env: cliEnv() });

/** The merge's run id, from its NDJSON's last event. */
const runIdOf = (stdout: string) => /"runId":"([^"]+)"/.exec(stdout.trim().split("\n").at(-1)!)![1]!;

describe("swarm run --shard k/n + swarm merge", () => {
  it("merges four shards into the tree a single run writes", async () => {
    breakExport = false;
    const single = await gitRepo(tree());
    const r = await runCli(["run", single.dir, ...args(), "--branch", "swarm/single"], { env: cliEnv() });
    expect(r.code, r.stderr).toBe(0);
    const sharded = await gitRepo(tree());
    const files = await runShards(sharded, 4);
    firstRun = { repo: sharded, files };
    const merged = await merge(sharded, files);
    expect(merged.code, merged.stderr).toBe(0);
    expect(await sharded.git("rev-parse", "swarm/merged^{tree}")).toBe(await single.git("rev-parse", "swarm/single^{tree}"));
    expect(await sharded.git("show", "swarm/merged:src/m3.ts")).toContain(REFACTOR_MARKER);
  }, 180_000);

  it("catches a break between shards at the merge: the merged branch type-checks", async () => {
    breakExport = true;
    const repo = await gitRepo(tree());
    const files = await runShards(repo, 4);
    const manifests = await Promise.all(files.map(async (f) => JSON.parse((await readFile(f, "utf8")).split("\n")[1]!) as { report: Report }));
    const shardOf = (file: string) => manifests.findIndex((m) => m.report.tasks.some((t) => t.file === file));
    expect(shardOf("src/a.ts")).not.toBe(shardOf("src/b.ts"));
    // Each shard validated only its own files: a's shard kept the removed export.
    expect(manifests[shardOf("src/a.ts")]!.report.tasks.find((t) => t.file === "src/a.ts")!.status).toBe("succeeded");
    const merged = await merge(repo, files);
    expect([0, 1]).toContain(merged.code);
    const dir = tempDir("swarm-merged-tree-");
    execFileSync("sh", ["-c", `git -C '${repo.dir}' archive swarm/merged | tar -x -C '${dir}'`]);
    expect(() => execFileSync(process.execPath, [TSC, "--noEmit", "-p", dir], { encoding: "utf8" })).not.toThrow();
    const report = JSON.parse(await readFile(path.join(repo.dir, ".swarm", "runs", runIdOf(merged.stdout), "report.json"), "utf8")) as Report;
    expect(report.validation?.problems.length).toBeGreaterThan(0);
    expect(report.shards?.merged).toHaveLength(4);
  }, 180_000);

  it("names a missing shard (exit 2); --allow-partial merges the rest and the report says what is missing", async () => {
    const { repo, files: all } = firstRun!;
    const files = all.filter((f) => !f.endsWith("shard-3.swarm"));
    const refused = await merge(repo, files, [], "swarm/partial");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/missing shard\(s\) 3\/4/);
    const partial = await merge(repo, files, ["--allow-partial"], "swarm/partial");
    expect(partial.code).toBe(1);
    const report = JSON.parse(await readFile(path.join(repo.dir, ".swarm", "runs", runIdOf(partial.stdout), "report.json"), "utf8")) as Report;
    expect(report.shards?.missing).toEqual([3]);
  }, 180_000);
});
