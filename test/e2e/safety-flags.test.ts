// Issue 7, bad flags and blank instructions, through the real CLI: exit 2 with the flag, what it expects
// and what it got, before any request (split from safety-env.test.ts to keep each file short).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectUsageFailure, swarm, useSafetyFixture } from "./safety-support.js";

// No reset between cases: they run concurrently, and none may send a request anyway.
const fx = useSafetyFixture({ repo: { "src/a.js": "export const a = 1;\n" }, resetEach: false });

// Concurrent: every case fails before any request or write, so they cannot disturb one another.
describe.concurrent("flags", () => {
  it.each([
    [["--concurrency", "0"], "--concurrency: expected an integer ≥ 1, got `0`"],
    [["--concurrency", "-3"], "--concurrency: expected an integer ≥ 1, got `-3`"],
    [["--concurrency", "1.5"], "--concurrency: expected an integer ≥ 1, got `1.5`"],
    [["--concurrency", "many"], "--concurrency: expected an integer ≥ 1, got `many`"],
    [["--roles", "refactor,lint"], "unknown role `lint`; expected a comma-separated list of refactor, test, doc"],
    [["-i", ""], "the instruction is empty; say what to change"],
    [["-i", "  \t "], "the instruction is empty; say what to change"],
  ])("run %j: exit 2 with the reason", async (flags, message) => {
    const result = await swarm(["run", fx.repo.dir, "--base-url", fx.server.url, ...(flags.includes("-i") ? [] : ["-i", "Tidy"]), ...flags]);
    expectUsageFailure(result, message);
    expect(fx.server.stats().modelRequests).toBe(0);
    await fx.expectNothingWritten();
  });

  it("an unknown role in the config file", async () => {
    const config = path.join(fx.scratch, "config-roles.json");
    await writeFile(config, JSON.stringify({ roles: ["review"] }));
    const result = await swarm(["plan", fx.repo.dir, "-c", config]);
    expectUsageFailure(result, 'roles.0: expected one of "refactor"|"test"|"doc", got "review"');
  });

  it("an instruction of only whitespace from the config file", async () => {
    const config = path.join(fx.scratch, "config-blank.json");
    await writeFile(config, JSON.stringify({ instruction: " \n\t" }));
    const result = await swarm(["estimate", fx.repo.dir, "-c", config]);
    expectUsageFailure(result, 'no instruction: pass -i "what to change" or set "instruction" in swarm.config.json');
    await fx.expectNothingWritten();
  });
});
