import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SwarmError, SwarmErrorCode } from "../../../src/core/index.js";
import { readShardFile, writeShardFile, type ShardManifest } from "../../../src/shard/index.js";
import { tempDir } from "../../support/git-repo.js";

// A shard file is a CI artifact: a cut upload or another tool's file is the user's to fix (exit 2), not a crash.
const manifest: ShardManifest = { fingerprint: "f", shard: { index: 1, count: 2 }, runId: "r", headSha: "h", tip: null, report: { tasks: [] }, journal: "" };

describe("readShardFile", () => {
  it("reads back what writeShardFile wrote", async () => {
    const file = path.join(tempDir("swarm-shard-file-"), "s.swarm");
    await writeShardFile(file, manifest, Buffer.from("BUNDLE"));
    const read = await readShardFile(file);
    expect(read.manifest).toEqual(manifest);
    expect(read.bundle?.toString()).toBe("BUNDLE");
  });

  it.each([
    ["a cut manifest", "swarm-shard 1\n{\"fingerprint\":\"f\",\"sha\n"],
    ["a manifest of another shape", "swarm-shard 1\n{\"fingerprint\":\"f\"}\n"],
    ["a manifest that is not an object", "swarm-shard 1\nnull\n"],
  ])("refuses %s with a usage error naming the file", async (_name, text) => {
    const file = path.join(tempDir("swarm-shard-file-"), "s.swarm");
    await writeFile(file, text);
    const error = await readShardFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwarmError);
    expect((error as SwarmError).code).toBe(SwarmErrorCode.Usage);
    expect((error as SwarmError).message).toContain(file);
  });
});
