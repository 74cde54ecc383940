import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

/** Tracked paths of a repo (what HEAD holds; the bench never edits its repos' working trees). */
export function trackedPaths(repo: string): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: repo, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }).split("\0").filter((p) => p !== "");
}

/** Reads every path with bounded parallelism (all at once would hit EMFILE on large repos). */
export async function readAll(repo: string, paths: readonly string[], parallel = 64): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const p = paths[next++]!;
      out.set(p, await readFile(path.join(repo, p), "utf8"));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}
