// A shard's result as one file, ready to upload as a CI artifact: a header line, one line of JSON (the manifest:
// fingerprint, shard k/n, the shard's report and journal) and then the raw bytes of a git bundle of its branch.
// No tar, no zip: `head -2 shard-1.swarm` shows the manifest, and the rest is what `git bundle` wrote.
import { readFile } from "node:fs/promises";
import { usageError } from "../core/index.js";
import { writeFileAtomic } from "../util/index.js";
import type { ShardSpec } from "./partition.js";

const HEADER = "swarm-shard 1\n";

export interface ShardManifest {
  fingerprint: string;
  shard: ShardSpec;
  runId: string;
  headSha: string;
  /** The shard's branch tip the bundle holds; null when the shard committed nothing (no bundle bytes). */
  tip: string | null;
  /** The shard's report.json. */
  report: unknown;
  /** The shard's journal.jsonl, as written. */
  journal: string;
}

export async function writeShardFile(file: string, manifest: ShardManifest, bundle: Uint8Array | null): Promise<void> {
  const head = Buffer.from(`${HEADER}${JSON.stringify(manifest)}\n`, "utf8");
  await writeFileAtomic(file, bundle ? Buffer.concat([head, bundle]) : head);
}

export async function readShardFile(file: string): Promise<{ manifest: ShardManifest; bundle: Buffer | null }> {
  const bytes = await readFile(file).catch((error: unknown) => {
    throw usageError(`cannot read shard file ${file}: ${(error as Error).message}`);
  });
  const end = bytes.indexOf(0x0a, HEADER.length);
  if (!bytes.subarray(0, HEADER.length).equals(Buffer.from(HEADER)) || end < 0) throw usageError(`not a swarm shard file: ${file}`, "pass the files `swarm run --shard k/n --bundle-out <file>` wrote");
  const manifest = parseManifest(bytes.subarray(HEADER.length, end).toString("utf8"));
  // A cut upload or an edited file is the user's to fix, not a crash of the merge.
  if (!manifest) throw usageError(`damaged swarm shard file: ${file} (its manifest line is not one a shard run writes)`, "download the shard's artifact again, or re-run that shard");
  const bundle = bytes.subarray(end + 1);
  return { manifest, bundle: bundle.length > 0 ? bundle : null };
}

function parseManifest(line: string): ShardManifest | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const m = value as Partial<ShardManifest> | null;
  const isShape =
    typeof m === "object" && m !== null && typeof m.fingerprint === "string" && typeof m.runId === "string" && typeof m.headSha === "string" &&
    typeof m.journal === "string" && (m.tip === null || typeof m.tip === "string") && Number.isInteger(m.shard?.index) && Number.isInteger(m.shard?.count) &&
    Array.isArray((m.report as { tasks?: unknown } | undefined)?.tasks);
  return isShape ? (m as ShardManifest) : null;
}
