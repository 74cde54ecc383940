export { checkShardSet } from "./check-set.js";
export { planFingerprint } from "./fingerprint.js";
export { partitionPlan, shardPlan, type ShardSpec } from "./partition.js";
export { readShardFile, writeShardFile, type ShardManifest } from "./shard-file.js";
