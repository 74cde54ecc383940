// The repository's real environment for the type gate: its installed packages, read where the user
// installed them and never copied or written.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { RepoPath } from "../core/index.js";

export interface TypeEnvironment {
  /** Absolute path of the folder holding node_modules (the user's working tree top). */
  root: string;
}

/** The user's installed packages, when the working tree has a node_modules folder. */
export async function findTypeEnvironment(top: string): Promise<TypeEnvironment | null> {
  const isDir = await stat(path.join(top, "node_modules")).then((s) => s.isDirectory(), () => false);
  return isDir ? { root: top } : null;
}

/** Pure: the command that installs the repository's packages, from its lockfile. */
export function installCommand(files: ReadonlyMap<RepoPath, string> | ReadonlySet<RepoPath>): string {
  const has = (p: RepoPath) => files.has(p);
  if (has("pnpm-lock.yaml")) return "pnpm install";
  if (has("yarn.lock")) return "yarn install";
  if (has("bun.lockb") || has("bun.lock")) return "bun install";
  if (has("package-lock.json")) return "npm ci";
  return "npm install";
}

/** Pure: the one line saying the type gate checks imports only, and how to get the full check. */
export function fallbackNote(install: string): string {
  return `type check limited to imports and exports: no node_modules in the repository; run \`${install}\` there for the full type check`;
}
