// Issue 14, how a run ends when the world gets in the way.
// - A full disk mid-run: the run folder sits on a tiny tmpfs that fills while the journal grows. The CLI must exit 2
//   with "disk full at …; free space, then `swarm resume <id>`", leave the user's repository as it was, and after
//   space is freed the resume must finish without re-sending a step the journal already holds. Mounting needs root
//   (or CAP_SYS_ADMIN): where the mount is refused the test says so and skips.
// - A same-branch race: another process takes the branch name while the run goes; the loser still writes its report,
//   which says why there is no branch and where its result is.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LoopbackOptions } from "../support/loopback-server.js";
import { expectRepoUntouched, reportPathOf, swarm, useSafetyFixture } from "./safety-support.js";

const lines = (n: number, name: string) => Array.from({ length: n }, (_, i) => `export const ${name}${i} = ${i};`).join("\n") + "\n";
const TREE = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`src/m${i}.ts`, lines(30, `m${i}_`)]));
// Read live by the server: the race test sets a gate.
const server: LoopbackOptions = {};
const fx = useSafetyFixture({ repo: TREE, server });

let mounted: string | undefined;
function mountTmpfs(dir: string, size: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    mounted = dir;
    return true;
  } catch {
    return false;
  }
}
afterAll(() => {
  if (mounted) execFileSync("umount", [mounted], { stdio: "ignore" });
});

describe("a disk that fills during the run", () => {
  it("exits 2 naming the fix, touches nothing of the user's, and the resume finishes without a step sent twice", async (ctx) => {
    // 40 KB: plan.json and run.json fit, the journal of 36 steps does not.
    if (!mountTmpfs(path.join(fx.repo.dir, ".swarm"), "40k")) {
      ctx.skip("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
      return;
    }
    const args = ["-i", "Tidy", "--base-url", fx.server.url, "--roles", "refactor,test,doc"];
    const before = await fx.repo.snapshot();
    const full = await swarm(["run", fx.repo.dir, ...args]);
    expect(full.code, full.stderr).toBe(2);
    const id = /swarm resume (\d{8}-\d{6}-[0-9a-f]{4})/.exec(full.stderr)?.[1];
    expect(full.stderr).toMatch(/^swarm: disk full at \S+; free space, then `swarm resume \d{8}-\d{6}-[0-9a-f]{4}`$/m);
    expect(full.stderr).toMatch(/^cause: ENOSPC/m);
    expect(full.stderr).not.toMatch(/\n\s+at /);
    expect(id).toBeDefined();
    expectRepoUntouched(before, await fx.repo.snapshot());

    // The journal lines that made it to disk whole: the resume must not ask for these again.
    const runDir = path.join(fx.repo.dir, ".swarm", "runs", id!);
    const journaled = readFileSync(path.join(runDir, "journal.jsonl"), "utf8")
      .split("\n")
      .filter((line) => {
        try {
          return (JSON.parse(line) as { final?: boolean }).final === true;
        } catch {
          return false;
        }
      }).length;
    const sentBefore = fx.server.requests.length;
    expect(journaled).toBeGreaterThan(0);
    expect(journaled).toBeLessThan(36);

    execFileSync("mount", ["-o", "remount,size=4m", mounted!], { stdio: "ignore" });
    const resumed = await swarm(["resume", id!, fx.repo.dir, "--base-url", fx.server.url]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fx.server.requests.length - sentBefore).toBe(36 - journaled);
    expectRepoUntouched(before, await fx.repo.snapshot(), `swarm/${id}`);
    // Every file's refactor, test and doc is on the branch (checked with git, not the report).
    const onBranch = (await fx.repo.git("ls-tree", "-r", "--name-only", `swarm/${id}`)).split("\n");
    expect(onBranch.filter((f) => /\.test\.ts$/.test(f))).toHaveLength(12);
    expect(onBranch.filter((f) => f.endsWith(".md") && f.includes("m"))).toHaveLength(12);
    expect(readdirSync(runDir)).toContain("report.json");
  });
});

describe("a branch name taken by another process while the run goes", () => {
  it("exits 2 naming the branch, and still writes its report saying why there is no branch and where the result is", async () => {
    const branch = "swarm/raced";
    const before = await fx.repo.snapshot();
    // The "winner": creates the branch while the loser's first request is in flight.
    server.beforeAnswer = () => {
      server.beforeAnswer = undefined;
      execFileSync("git", ["branch", branch], { cwd: fx.repo.dir });
    };
    const lost = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--base-url", fx.server.url, "--roles", "refactor", "--branch", branch]);
    expect(lost.code, lost.stderr).toBe(2);
    expect(lost.stderr).toMatch(/^swarm: branch `swarm\/raced` already exists \(created while the run was going\)$/m);
    expect(lost.stderr).not.toMatch(/\n\s+at /);
    expectRepoUntouched(before, await fx.repo.snapshot(), branch);
    // The winner's branch is untouched: it still points at HEAD.
    expect(await fx.repo.git("rev-parse", branch)).toBe(before.head);
    const reportPath = reportPathOf(lost.stdout);
    expect(reportPath).toBeDefined();
    const report = JSON.parse(await readFile(reportPath!, "utf8")) as { branch: string | null; branchError?: string; counts: { succeeded: number } };
    expect(report.branch).toBeNull();
    expect(report.counts.succeeded).toBe(12);
    const sha = /keep it with: git branch <other-name> ([0-9a-f]{40})/.exec(report.branchError ?? "")?.[1];
    expect(sha, report.branchError).toBeDefined();
    // The result named in the report is a real commit holding the run's changes.
    expect(await fx.repo.git("diff", "--name-only", before.head, sha!)).toContain("src/m0.ts");
    expect(await readFile(reportPath!.replace(/\.json$/, ".md"), "utf8")).toContain("no branch written (branch `swarm/raced` already exists");
  });
});
