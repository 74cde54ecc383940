// Pure: whether a set of shard files makes one whole run.
import type { ShardManifest } from "./shard-file.js";

export interface ShardSetCheck {
  /** The files to merge, by shard index, one per index. */
  accepted: { file: string; manifest: ShardManifest }[];
  /** Shard indexes (1-based) no file was given for. */
  missing: number[];
  /** Files of another run (fingerprint or shard count) or a second file for one index, with why. */
  foreign: { file: string; reason: string }[];
}

/** Checks the given shard files against the run the merge recomputed (its fingerprint and shard count). */
export function checkShardSet(files: readonly { file: string; manifest: ShardManifest }[], expected: { fingerprint: string; count: number }): ShardSetCheck {
  const byIndex = new Map<number, { file: string; manifest: ShardManifest }>();
  const foreign: ShardSetCheck["foreign"] = [];
  for (const entry of files) {
    const { shard, fingerprint } = entry.manifest;
    if (shard.count !== expected.count) foreign.push({ file: entry.file, reason: `shard ${shard.index}/${shard.count} of a ${shard.count}-shard run, not ${expected.count}` });
    else if (fingerprint !== expected.fingerprint) foreign.push({ file: entry.file, reason: `another plan (fingerprint ${fingerprint.slice(0, 12)}, this checkout's is ${expected.fingerprint.slice(0, 12)}): another commit, instruction or config` });
    else if (byIndex.has(shard.index)) foreign.push({ file: entry.file, reason: `shard ${shard.index}/${shard.count} again (also ${byIndex.get(shard.index)!.file})` });
    else byIndex.set(shard.index, entry);
  }
  const missing: number[] = [];
  for (let k = 1; k <= expected.count; k++) if (!byIndex.has(k)) missing.push(k);
  return { accepted: [...byIndex.keys()].sort((a, b) => a - b).map((k) => byIndex.get(k)!), missing, foreign };
}
