import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/git-repo.js";
import { runMain } from "../support/main-in-process.js";

describe("a known error", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("swarm-not-a-repo-");
  });

  it("prints one message line, the hint, and git's own words on a cause line; no stack", async () => {
    const result = await runMain(["plan", dir]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`swarm: not a git repository: ${dir}`);
    expect(lines[1]).toMatch(/^hint: /);
    expect(lines[2]).toMatch(/^cause: .*not a git repository/i);
    expect(lines).toHaveLength(3);
    expect(result.stdout).toBe("");
  });
});
