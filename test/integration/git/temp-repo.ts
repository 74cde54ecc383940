// Temp git repositories for the git-edge tests. Plain `git` through execFileSync on purpose: the
// fixtures must not depend on the simple-git wrapper under test.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";

/** The environment git runs with in fixtures: no ambient GIT_* (a hook's GIT_DIR would redirect us). */
export function cleanGitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", ...extra };
}

export function git(cwd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  return execFileSync("git", args, {
    cwd,
    env: options.env ?? cleanGitEnv(),
    input: options.input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** A fresh temp directory removed when the current test finishes. */
export function tempDir(prefix = "swarm-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type TreeSpec = Record<string, string | Buffer | { content: string | Buffer; mode: number }>;

export function writeTree(dir: string, tree: TreeSpec): void {
  for (const [rel, spec] of Object.entries(tree)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    const content = typeof spec === "string" || Buffer.isBuffer(spec) ? spec : spec.content;
    writeFileSync(file, content);
    if (typeof spec === "object" && !Buffer.isBuffer(spec)) chmodSync(file, spec.mode);
  }
}

/** `git init` on branch main with a local identity, gc off, and `tree` committed (unless empty). */
export function makeRepo(tree: TreeSpec = {}, options: { identity?: boolean } = {}): string {
  const dir = tempDir("swarm-repo-");
  git(dir, ["init", "--quiet", "--initial-branch=main"]);
  if (options.identity !== false) {
    git(dir, ["config", "user.name", "Test User"]);
    git(dir, ["config", "user.email", "test@example.com"]);
  }
  git(dir, ["config", "gc.auto", "0"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  git(dir, ["config", "core.autocrlf", "false"]);
  if (Object.keys(tree).length > 0) {
    writeTree(dir, tree);
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "--quiet", "-m", "initial"]);
  }
  return dir;
}

export const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** Every file under `dir` except `.git`, path → content hash (symlinks by their target text). */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === ".git") continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isSymbolicLink()) out[child] = `symlink`;
      else out[child] = sha256(readFileSync(path.join(dir, child)));
    }
  };
  walk("");
  return out;
}

/** Everything about the user's checkout that writeBranch must leave alone. */
export function snapshotRepo(dir: string) {
  const gitDir = path.resolve(dir, git(dir, ["rev-parse", "--git-dir"]).trim());
  let symbolic: string;
  try {
    symbolic = git(dir, ["symbolic-ref", "HEAD"]).trim();
  } catch {
    symbolic = "(detached)";
  }
  return {
    head: git(dir, ["rev-parse", "HEAD"]).trim(),
    symbolic,
    status: git(dir, ["--no-optional-locks", "status", "--porcelain", "--untracked-files=all"]),
    index: sha256(readFileSync(path.join(gitDir, "index"))),
    files: hashTree(dir),
  };
}
