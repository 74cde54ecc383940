// A shard's branch travels between CI jobs as a git bundle: only the commits on top of the run's base, which
// the merging checkout has already.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { usageError } from "../core/index.js";
import { gitAt, gitErrorLine, runGit, tryGit } from "./git.js";

/** The branch's commits above `baseSha` as bundle bytes, with the tip; null when the branch does not exist or adds nothing. */
export async function bundleBranch(repoTop: string, branch: string, baseSha: string): Promise<{ tip: string; bytes: Buffer } | null> {
  const tip = (await tryGit(gitAt(repoTop), ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]))?.trim();
  if (!tip || tip === baseSha) return null;
  return withTempFile(async (file) => {
    await runGit(repoTop, ["bundle", "create", "--quiet", file, `refs/heads/${branch}`, `^${baseSha}`]);
    return { tip, bytes: await readFile(file) };
  });
}

/**
 * Adds a bundle's objects to the repository's object store and returns the commit it carries. No ref, index or
 * working tree is touched: the merge reads files from that commit and writes its own branch.
 */
export async function unbundle(repoTop: string, bytes: Uint8Array, label: string): Promise<string> {
  return withTempFile(async (file) => {
    await writeFile(file, bytes);
    const verified = await runGit(repoTop, ["bundle", "verify", "--quiet", file]).catch((error: unknown) => error as Error);
    if (verified instanceof Error) throw usageError(`${label}: its git bundle does not apply to this repository (${gitErrorLine(verified)})`, "merge in a checkout of the commit the shards ran on");
    // verify reads the header only: a bundle cut short (an interrupted artifact download) fails here.
    const listed = await runGit(repoTop, ["bundle", "unbundle", file]).then(
      (out) => out.toString("utf8"),
      (error: unknown) => {
        throw usageError(`${label}: its git bundle is damaged (${gitErrorLine(error as Error)})`, "download the shard's artifact again, or re-run that shard");
      },
    );
    const sha = /^([0-9a-f]{40,64}) /m.exec(listed)?.[1];
    if (!sha) throw usageError(`${label}: its git bundle holds no branch`);
    return sha;
  });
}

async function withTempFile<T>(use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "swarm-bundle-"));
  try {
    return await use(path.join(dir, "shard.bundle"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
