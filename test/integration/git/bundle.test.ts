import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SwarmError, SwarmErrorCode } from "../../../src/core/index.js";
import { bundleBranch, unbundle } from "../../../src/git/index.js";
import { gitRepo, type TempRepo } from "../../support/git-repo.js";

// Issue 19: a shard's bundle travels as a CI artifact; a cut download is the user's to fix (exit 2), not a crash.
let source: TempRepo;
let target: TempRepo;
let base: string;
beforeAll(async () => {
  source = await gitRepo({ "a.txt": "a\n" });
  base = await source.git("rev-parse", "HEAD");
  await source.git("checkout", "-q", "-b", "shard");
  await source.git("commit", "-q", "--allow-empty", "-m", "work");
  target = await gitRepo({}, {});
  await target.git("fetch", "-q", source.dir, "main");
});
afterAll(async () => {
  await source?.cleanup();
  await target?.cleanup();
});

describe("unbundle", () => {
  it("adds a whole bundle's commit, and refuses a cut one with a usage error naming it", async () => {
    const bundle = (await bundleBranch(source.dir, "shard", base))!;
    expect(await unbundle(target.dir, bundle.bytes, "shard-1.swarm")).toBe(bundle.tip);
    const cut = bundle.bytes.subarray(0, bundle.bytes.length - 40);
    const error = await unbundle(target.dir, cut, "shard-2.swarm").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwarmError);
    expect((error as SwarmError).code).toBe(SwarmErrorCode.Usage);
    expect((error as SwarmError).message).toMatch(/^shard-2\.swarm: /);
  });
});
