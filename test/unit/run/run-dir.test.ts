import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { latestRunId, listRuns, newRunId, RUN_ID_PATTERN, runDirPaths } from "../../../src/run/run-dir.js";
import { tempDir } from "../../support/git-repo.js";

const tempTop = (): string => tempDir("swarm-rundir-");

describe("newRunId", () => {
  it("formats UTC time plus four hex digits", () => {
    expect(newRunId(new Date(Date.UTC(2025, 11, 31, 23, 59, 7)), () => "0a1f")).toBe("20251231-235907-0a1f");
  });
  it("matches the pattern with real randomness", () => {
    expect(newRunId()).toMatch(RUN_ID_PATTERN);
  });
});

describe("runDirPaths", () => {
  it("names every file of a run", () => {
    const p = runDirPaths("/repo", "20250101-000000-abcd");
    const dir = path.join("/repo", ".swarm", "runs", "20250101-000000-abcd");
    expect(p).toEqual({
      dir,
      plan: path.join(dir, "plan.json"),
      journal: path.join(dir, "journal.jsonl"),
      reportJson: path.join(dir, "report.json"),
      reportMd: path.join(dir, "report.md"),
      meta: path.join(dir, "run.json"),
    });
  });
  it.each(["../x", "20250101-000000", "latest", "20250101-000000-ABCD/.."])("rejects the id %j", (id) => {
    expect(() => runDirPaths("/repo", id)).toThrow(TypeError);
  });
});

describe("listRuns / latestRunId", () => {
  it("returns nothing when there is no .swarm directory", async () => {
    const top = tempTop();
    expect(await listRuns(top)).toEqual([]);
    expect(await latestRunId(top)).toBeNull();
  });

  it("lists run directories oldest first and ignores other entries", async () => {
    const top = tempTop();
    const runs = path.join(top, ".swarm", "runs");
    for (const id of ["20250102-000000-aaaa", "20241231-235959-ffff", "20250102-000000-bbbb"]) mkdirSync(path.join(runs, id), { recursive: true });
    mkdirSync(path.join(runs, "not-a-run"));
    writeFileSync(path.join(runs, "20250103-000000-cccc"), "a file, not a run");
    writeFileSync(path.join(runs, "20241231-235959-ffff", "report.json"), "{}");
    const listed = await listRuns(top);
    expect(listed.map((r) => r.id)).toEqual(["20241231-235959-ffff", "20250102-000000-aaaa", "20250102-000000-bbbb"]);
    expect(listed[0].hasReport).toBe(true);
    expect(listed[1].hasReport).toBe(false);
    expect(await latestRunId(top)).toBe("20250102-000000-bbbb");
  });
});
