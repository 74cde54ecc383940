// Issue 7, bad flags and blank instructions, through the real CLI: exit 2 with the flag, what it expects
// and what it got, before any request (split from safety-env.test.ts to keep each file short).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { expectUsageFailure, hashEverything, swarm } from "./safety-support.js";

let server: LoopbackServer;
let repo: TempRepo;
let bytesBefore: Record<string, string>;
beforeAll(async () => {
  server = await startLoopbackServer();
  repo = await gitRepo({ "src/a.js": "export const a = 1;\n" });
  bytesBefore = await hashEverything(repo.dir);
});
afterAll(async () => {
  await server.close();
  await repo.cleanup();
});

async function expectNothingWritten(): Promise<void> {
  expect(await hashEverything(repo.dir)).toEqual(bytesBefore);
}

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
    const result = await swarm(["run", repo.dir, "--base-url", server.url, ...(flags.includes("-i") ? [] : ["-i", "Tidy"]), ...flags]);
    expectUsageFailure(result, message);
    expect(server.stats().modelRequests).toBe(0);
    await expectNothingWritten();
  });

  it("an unknown role in the config file", async () => {
    const config = path.join(repo.dir, "..", `${path.basename(repo.dir)}-roles.json`);
    await writeFile(config, JSON.stringify({ roles: ["review"] }));
    const result = await swarm(["plan", repo.dir, "-c", config]);
    expectUsageFailure(result, 'roles.0: expected one of "refactor"|"test"|"doc", got "review"');
  });

  it("an instruction of only whitespace from the config file", async () => {
    const config = path.join(repo.dir, "..", `${path.basename(repo.dir)}-blank.json`);
    await writeFile(config, JSON.stringify({ instruction: " \n\t" }));
    const result = await swarm(["estimate", repo.dir, "-c", config]);
    expectUsageFailure(result, 'no instruction: pass -i "what to change" or set "instruction" in swarm.config.json');
    await expectNothingWritten();
  });
});
