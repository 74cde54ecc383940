import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));

export type FixtureName = "express-api" | "ts-lib";

/** Repo-relative path → file content. Folders are created as needed. */
export type InlineTree = Record<string, string | Buffer>;

export interface GitRepoOptions {
  /** Commit message of the one commit. @default "initial" */
  message?: string;
  /** Remove the repo when the current vitest test finishes (call inside a test, not in beforeAll). @default false */
  autoCleanup?: boolean;
}

/** Everything a run could change in the user's repo, in comparable form. */
export interface RepoSnapshot {
  head: string;
  branch: string;
  /** `git status --porcelain=v1 -uall`. */
  status: string;
  /** `git for-each-ref`: branches, tags, stash. */
  refs: string;
  /** `git ls-files --stage`: proves the index is untouched even where status would not show it. */
  index: string;
  /** `git worktree list --porcelain` with paths; a leaked temp worktree shows up here. */
  worktrees: string;
  /** Repo-relative path → sha256 of the content (symlinks: "link:" + target); .git and .swarm excluded. */
  files: Record<string, string>;
}

export interface TempRepo {
  dir: string;
  /** Runs git in the repo and returns stdout without its trailing newline. */
  git(...args: string[]): Promise<string>;
  snapshot(): Promise<RepoSnapshot>;
  cleanup(): Promise<void>;
}

// Fixed identity and dates make the initial commit sha a pure function of the tree, and ignoring the
// machine's global/system git config keeps hooks, signing and templates of the host out of the tests.
const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: process.platform === "win32" ? "NUL" : "/dev/null",
  GIT_AUTHOR_NAME: "Swarm Test",
  GIT_AUTHOR_EMAIL: "swarm-test@example.invalid",
  GIT_COMMITTER_NAME: "Swarm Test",
  GIT_COMMITTER_EMAIL: "swarm-test@example.invalid",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  GIT_TERMINAL_PROMPT: "0",
};

// Inherited GIT_DIR / GIT_INDEX_FILE (tests started from a git hook) would redirect every command
// to the caller's repository, so all GIT_* variables from the outside are dropped.
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, ...GIT_ENV };
}

export function runGit(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd: dir, env: gitEnv(), maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`git ${args.join(" ")} failed in ${dir}: ${stderr.trim() || error.message}`, { cause: error }));
          return;
        }
        resolve(stdout.replace(/\n$/, ""));
      },
    );
  });
}

/**
 * Creates a throwaway git repo:
 * - copies fixtures/<name> or writes the inline tree into a fresh dir under os.tmpdir();
 * - `git init` on branch main with a local identity and gc.auto 0;
 * - commits everything as one commit.
 */
export async function gitRepo(source: FixtureName | InlineTree, opts: GitRepoOptions = {}): Promise<TempRepo> {
  const dir = await mkdtemp(path.join(tmpdir(), "swarm-repo-"));
  try {
    if (typeof source === "string") await copyFixture(source, dir);
    else await writeTree(dir, source);
    return await initGitRepo(dir, opts);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Turns an existing directory into a repo with one commit holding all of its files. */
export async function initGitRepo(dir: string, opts: GitRepoOptions = {}): Promise<TempRepo> {
  await runGit(dir, ["init", "--quiet", "--initial-branch=main"]);
  await runGit(dir, ["config", "user.name", "Swarm Test"]);
  await runGit(dir, ["config", "user.email", "swarm-test@example.invalid"]);
  await runGit(dir, ["config", "gc.auto", "0"]);
  await runGit(dir, ["config", "commit.gpgsign", "false"]);
  await runGit(dir, ["config", "core.autocrlf", "false"]);
  await runGit(dir, ["add", "-A"]);
  await runGit(dir, ["commit", "--quiet", "--allow-empty", "--no-verify", "-m", opts.message ?? "initial"]);
  const repo = tempRepo(dir);
  if (opts.autoCleanup === true) {
    // Loaded lazily so scripts outside vitest (benchmarks) can use these helpers too.
    const { onTestFinished } = await import("vitest");
    onTestFinished(() => repo.cleanup());
  }
  return repo;
}

function tempRepo(dir: string): TempRepo {
  return {
    dir,
    git: (...args) => runGit(dir, args),
    snapshot: () => snapshotRepo(dir),
    cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}

export async function copyFixture(name: FixtureName, dest: string): Promise<void> {
  await cp(path.join(FIXTURES_DIR, name), dest, { recursive: true, errorOnExist: false, force: true });
}

export async function writeTree(dir: string, tree: InlineTree): Promise<void> {
  for (const [relPath, content] of Object.entries(tree)) {
    const normalized = path.posix.normalize(relPath);
    if (path.posix.isAbsolute(normalized) || normalized.startsWith("../") || normalized === "..") {
      throw new Error(`writeTree: path must stay inside the repo, got ${JSON.stringify(relPath)}`);
    }
    const target = path.join(dir, ...normalized.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

export async function snapshotRepo(dir: string): Promise<RepoSnapshot> {
  const [head, branch, status, refs, index, worktrees, files] = await Promise.all([
    runGit(dir, ["rev-parse", "HEAD"]),
    runGit(dir, ["symbolic-ref", "--quiet", "--short", "HEAD"]).catch(() => "(detached)"),
    runGit(dir, ["status", "--porcelain=v1", "-uall"]),
    runGit(dir, ["for-each-ref", "--format=%(objectname) %(refname)"]),
    runGit(dir, ["ls-files", "--stage"]),
    runGit(dir, ["worktree", "list", "--porcelain"]),
    hashWorkingTree(dir),
  ]);
  return { head, branch, status, refs, index, worktrees, files };
}

const SNAPSHOT_EXCLUDED = new Set([".git", ".swarm"]);

export async function hashWorkingTree(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  async function walk(absDir: string, relDir: string): Promise<void> {
    const entries = await readdir(absDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (relDir === "" && SNAPSHOT_EXCLUDED.has(entry.name)) continue;
      const abs = path.join(absDir, entry.name);
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) await walk(abs, rel);
      else if (entry.isSymbolicLink()) hashes[rel] = `link:${await readlink(abs)}`;
      else if (entry.isFile()) hashes[rel] = createHash("sha256").update(await readFile(abs)).digest("hex");
      else hashes[rel] = `special:${(await lstat(abs)).mode.toString(8)}`;
    }
  }
  await walk(dir, "");
  return hashes;
}
