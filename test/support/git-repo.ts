// The one temp-git-repo kit: temp dirs, throwaway repos (from a fixture, an inline tree or a generator),
// git for tests (async and sync) and snapshots of everything a run could change. Plain `git` through
// child_process on purpose: the fixtures must not depend on the product's git runner under test.
//
// Isolation: every git command here runs without the ambient GIT_* variables and without the host's
// global/system config; test/support/global-setup.ts also gives the run an empty HOME, so the
// product's own git (which keeps HOME) sees no user config either.
// Cleanup: every dir made here is removed when its test file ends (setup.ts); `cleanup()` removes one earlier.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cp, lstat, readFile, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));

export type FixtureName = "express-api" | "ts-lib";

/** Repo-relative path → file content (or content and mode). Folders are created as needed. */
export type InlineTree = Record<string, string | Buffer | { content: string | Buffer; mode: number }>;

/** Fills a fresh directory; what `gitRepo` then commits. */
export type TreeWriter = (dir: string) => Promise<void>;

export interface GitRepoOptions {
  /** Commit message of the one commit. @default "initial" */
  message?: string;
}

/** The identity of every commit the kit makes (and of the repos' local config). */
export const TEST_IDENTITY = { name: "Swarm Test", email: "swarm-test@example.invalid" } as const;

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
  /** Removes the repo now (it is removed when the test file ends anyway). */
  cleanup(): Promise<void>;
}

// Fixed identity and dates make the initial commit sha a pure function of the tree, and ignoring the
// machine's global/system git config keeps hooks, signing and templates of the host out of the tests.
// GIT_OPTIONAL_LOCKS=0: a snapshot's `git status` must not refresh (rewrite) the index it is checking.
const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: process.platform === "win32" ? "NUL" : "/dev/null",
  GIT_AUTHOR_NAME: TEST_IDENTITY.name,
  GIT_AUTHOR_EMAIL: TEST_IDENTITY.email,
  GIT_COMMITTER_NAME: TEST_IDENTITY.name,
  GIT_COMMITTER_EMAIL: TEST_IDENTITY.email,
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  GIT_TERMINAL_PROMPT: "0",
  GIT_OPTIONAL_LOCKS: "0",
};

/**
 * The environment test git runs with. Inherited GIT_DIR / GIT_INDEX_FILE (tests started from a git hook)
 * would redirect every command to the caller's repository, so all GIT_* variables from outside are dropped.
 */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, ...GIT_ENV, ...extra };
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

/** git, synchronously, returning stdout as it is (trailing newline kept): for the git-edge tests. */
export function gitSync(cwd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  return execFileSync("git", args, { cwd, env: options.env ?? gitEnv(), input: options.input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

const pending = new Set<string>();

/** A fresh directory under os.tmpdir(), removed when the test file ends (or by `removeTempDirs`). */
export function tempDir(prefix = "swarm-test-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  pending.add(dir);
  return dir;
}

async function removeDir(dir: string): Promise<void> {
  pending.delete(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Removes every dir the kit made that is still there; setup.ts calls it after each test file. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all([...pending].map(removeDir));
}

function writeTree(dir: string, tree: InlineTree): void {
  for (const [relPath, spec] of Object.entries(tree)) {
    const normalized = path.posix.normalize(relPath);
    if (path.posix.isAbsolute(normalized) || normalized.startsWith("../") || normalized === "..") {
      throw new Error(`writeTree: path must stay inside the repo, got ${JSON.stringify(relPath)}`);
    }
    const target = path.join(dir, ...normalized.split("/"));
    mkdirSync(path.dirname(target), { recursive: true });
    const inline = typeof spec === "string" || Buffer.isBuffer(spec);
    writeFileSync(target, inline ? spec : spec.content);
    if (!inline) chmodSync(target, spec.mode);
  }
}

async function copyFixture(name: FixtureName, dest: string): Promise<void> {
  await cp(path.join(FIXTURES_DIR, name), dest, { recursive: true, errorOnExist: false, force: true });
}

// Branch main, a local identity, no gc, no signing, no EOL conversion: the same in every repo the kit makes.
const INIT: string[][] = [
  ["init", "--quiet", "--initial-branch=main"],
  ["config", "user.name", TEST_IDENTITY.name],
  ["config", "user.email", TEST_IDENTITY.email],
  ["config", "gc.auto", "0"],
  ["config", "commit.gpgsign", "false"],
  ["config", "core.autocrlf", "false"],
];
const commitAll = (message: string): string[][] => [
  ["add", "-A"],
  ["commit", "--quiet", "--allow-empty", "--no-verify", "-m", message],
];

/**
 * Creates a throwaway git repo:
 * - copies fixtures/<name>, writes the inline tree, or lets `source` fill a fresh dir under os.tmpdir();
 * - `git init` on branch main with a local identity and gc.auto 0;
 * - commits everything as one commit.
 */
export async function gitRepo(source: FixtureName | InlineTree | TreeWriter, opts: GitRepoOptions = {}): Promise<TempRepo> {
  const dir = tempDir("swarm-repo-");
  try {
    if (typeof source === "string") await copyFixture(source, dir);
    else if (typeof source === "function") await source(dir);
    else writeTree(dir, source);
    return await initGitRepo(dir, opts);
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

/** Turns an existing directory into a repo with one commit holding all of its files. */
export async function initGitRepo(dir: string, opts: GitRepoOptions = {}): Promise<TempRepo> {
  for (const args of [...INIT, ...commitAll(opts.message ?? "initial")]) await runGit(dir, args);
  return {
    dir,
    git: (...args) => runGit(dir, args),
    snapshot: () => snapshotRepo(dir),
    cleanup: () => removeDir(dir),
  };
}

/**
 * The synchronous twin of `gitRepo` for the git-edge tests: the repo's path, with `tree` committed
 * unless it is empty (then the repo has no commit yet). `identity: false` leaves user.name/email unset.
 */
export function makeRepo(tree: InlineTree = {}, options: { identity?: boolean } = {}): string {
  const dir = tempDir("swarm-repo-");
  const identity = (args: string[]) => options.identity !== false || !(args[0] === "config" && args[1]!.startsWith("user."));
  for (const args of INIT.filter(identity)) gitSync(dir, args);
  if (Object.keys(tree).length > 0) {
    writeTree(dir, tree);
    for (const args of commitAll("initial")) gitSync(dir, args);
  }
  return dir;
}

export const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

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

/** sha256 of the index file's bytes ("" when there is none): proves not even a stat refresh was written. */
export async function hashIndex(dir: string): Promise<string> {
  const file = await runGit(dir, ["rev-parse", "--git-path", "index"]);
  return readFile(path.resolve(dir, file)).then(sha256, () => "");
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
      else if (entry.isFile()) hashes[rel] = sha256(await readFile(abs));
      else hashes[rel] = `special:${(await lstat(abs)).mode.toString(8)}`;
    }
  }
  await walk(dir, "");
  return hashes;
}
