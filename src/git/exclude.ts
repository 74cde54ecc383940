import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gitAt } from "./git.js";

/** The ignore line that keeps run directories out of `git status`. */
const SWARM_EXCLUDE_LINE = "/.swarm/";

/**
 * Where this repository's `info/exclude` lives. Asking git rather than assuming `.git/info/exclude`
 * handles linked worktrees and `.git` files (submodules, `--separate-git-dir`): the file is in the
 * common git dir there.
 */
export async function excludeFilePath(repoTop: string): Promise<string> {
  const out = (await gitAt(repoTop).raw(["rev-parse", "--git-path", "info/exclude"])).trim();
  return path.resolve(repoTop, out);
}

const EQUIVALENT_LINES = new Set(["/.swarm/", "/.swarm", ".swarm/", ".swarm", "/.swarm/*", "/.swarm/**"]);

/**
 * Appends `/.swarm/` to `info/exclude` unless an equivalent line is there already.
 * Creates `info/` when a repo was made without templates. Returns whether it wrote anything.
 */
export async function ensureSwarmExcluded(repoTop: string): Promise<{ file: string; added: boolean }> {
  const file = await excludeFilePath(repoTop);
  const existing = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  if (existing.split(/\r?\n/).some((line) => EQUIVALENT_LINES.has(line.trim()))) return { file, added: false };
  await mkdir(path.dirname(file), { recursive: true });
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  await appendFile(file, `${separator}${SWARM_EXCLUDE_LINE}\n`);
  return { file, added: true };
}
