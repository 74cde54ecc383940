import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { runMain } from "../support/main-in-process.js";

// Issue 19: the shard file is written at the very end of a shard's run; a path it cannot be written to is the
// user's to fix, said before any request is paid for, in one line.
let server: LoopbackServer;
let repo: TempRepo;
beforeAll(async () => {
  server = await startLoopbackServer();
  repo = await gitRepo({ "package.json": '{ "name": "b", "type": "module" }\n', "src/a.js": "export const a = 1;\n" });
});
afterAll(async () => {
  await server?.close();
  await repo?.cleanup();
});

describe("swarm run --shard k/n --bundle-out <file>", () => {
  it.each([
    ["in a folder that does not exist", () => path.join(tempDir("swarm-bundle-out-"), "missing", "s.swarm")],
    ["that is a folder", () => tempDir("swarm-bundle-out-")],
  ])("refuses a path %s before any request (exit 2, one line)", async (_name, target) => {
    server.reset();
    const file = target();
    const cli = await runMain(["run", repo.dir, "-i", "tidy", "--roles", "refactor", "--shard", "1/2", "--bundle-out", file, "--base-url", server.url]);
    expect(cli.code, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/^swarm: --bundle-out /);
    expect(cli.stderr).not.toMatch(/^\s+at /m);
    expect(server.requests).toHaveLength(0);
  });
});
