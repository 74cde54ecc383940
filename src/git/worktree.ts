import { isUtf8 } from "node:buffer";
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type RepoPath, repoStateError, SwarmErrorCode } from "../core/index.js";
import { assertNoSymlinkEscape, assertOutputPath, detectFileStyle, type FileStyle, restoreFileStyle } from "../util/index.js";
import { gitAt, gitErrorLine, tryGit, type SimpleGit } from "./git.js";
import { claimTempRoot } from "./stale-worktrees.js";

export interface BranchFile {
  path: RepoPath;
  /** New content (UTF-8), or `null` to delete the file. */
  content: string | null;
  /** `"100644"` or `"100755"`. When absent an existing file keeps its mode and a new one is 100644. */
  mode?: string;
  /**
   * The style of the file at HEAD; the content is reshaped to it (EOL, BOM, final newline).
   * @default the style of the file as HEAD holds it when it exists there (UTF-8 text only), else none
   */
  original?: FileStyle;
}

export interface BranchCommit {
  message: string;
  files: BranchFile[];
}

export interface WriteBranchInput {
  /** Top level of the user's working tree. */
  repo: string;
  /** The commit the branch starts from (RepoState.headSha). */
  headSha: string;
  branch: string;
  /** One commit per entry, in order; entries that change nothing are skipped. */
  commits: BranchCommit[];
  /** Commit author. @default the repo's configured identity, else refactor-swarm <swarm@localhost> */
  author?: { name: string; email: string };
  /** Where the temporary worktree goes. @default os.tmpdir() */
  tmpDir?: string;
  /**
   * Called with the tip just before the branch is created: a record written here lets a process killed
   * between branch and report tell its own branch from someone else's.
   */
  beforeBranch?: (sha: string) => Promise<void>;
}

export interface WriteBranchResult {
  branch: string;
  /** The commit the branch points at. */
  sha: string;
  /** No entry changed anything, so the branch points at `headSha`. */
  empty: boolean;
  /** The commits made, in order; `entry` is the index in `input.commits` each one came from. */
  commits: { sha: string; message: string; files: RepoPath[]; entry: number }[];
}

const FALLBACK_IDENTITY = { name: "refactor-swarm", email: "swarm@localhost" };
const MODES = new Set(["100644", "100755"]);
/** Paths per git invocation; keeps argv far below OS limits for very large commits. */
const PATHS_PER_COMMAND = 200;

/**
 * Writes the run's results to a new branch without touching the user's working tree, index or HEAD:
 * - validate every path up front (nothing is created for a bad input);
 * - `git worktree add --detach` a temporary tree at `headSha` under the OS temp dir;
 * - per entry: write/delete files (style and exec bit kept), stage them, commit if anything changed;
 * - `git branch <name> <tip>` (never checked out), then always remove the worktree and prune.
 * The user's hooks, fsmonitor, signing and auto-gc are switched off for these commands.
 */
export async function writeBranch(input: WriteBranchInput): Promise<WriteBranchResult> {
  validateInput(input);

  const tmpRoot = await mkdtemp(path.join(input.tmpDir ?? os.tmpdir(), "swarm-wt-"));
  // A unique basename: git names the worktree's admin folder after it, and two processes adding "tree" to one
  // repository at once race for .git/worktrees/tree ("failed to read .git/worktrees/tree/commondir").
  const treeDir = path.join(tmpRoot, path.basename(tmpRoot));
  const hooksDir = path.join(tmpRoot, "no-hooks");
  try {
    await claimTempRoot(tmpRoot);
    await mkdir(hooksDir);
    const config = [
      // An empty hooks dir: `--no-verify` alone still runs post-checkout, post-commit and
      // reference-transaction hooks.
      `core.hooksPath=${hooksDir}`,
      "core.fsmonitor=false",
      "commit.gpgsign=false",
      "gc.auto=0",
      "maintenance.auto=false",
      // Contents are already in repository form (the style of HEAD's blobs); no second conversion.
      "core.autocrlf=false",
      ...(await fallbackIdentity(gitAt(input.repo))),
    ];
    const repoGit = gitAt(input.repo, config);
    try {
      await repoGit.raw(["worktree", "add", "--detach", treeDir, input.headSha]).catch((error: unknown) => {
        throw new Error(`git worktree add (at ${input.headSha}) failed: ${gitErrorLine(error)}`, { cause: error });
      });
      const treeGit = gitAt(treeDir, config);

      const commits: WriteBranchResult["commits"] = [];
      for (const [index, entry] of input.commits.entries()) {
        const messageFile = path.join(tmpRoot, `message-${index}.txt`);
        const commit = await commitEntry(treeGit, treeDir, entry, messageFile, input.author);
        if (commit) commits.push({ ...commit, entry: index });
      }
      const sha = commits.at(-1)?.sha ?? input.headSha;
      await input.beforeBranch?.(sha);
      await createBranch(repoGit, input.branch, sha);
      return { branch: input.branch, sha, empty: commits.length === 0, commits };
    } finally {
      await removeWorktree(repoGit, treeDir);
    }
  } finally {
    await rm(tmpRoot, { recursive: true, force: true });
  }
}

function validateInput(input: WriteBranchInput): void {
  for (const entry of input.commits) {
    if (entry.message.trim() === "") throw new TypeError("writeBranch: commit message is empty");
    const seen = new Set<string>();
    for (const file of entry.files) {
      assertOutputPath(input.repo, file.path);
      if (seen.has(file.path)) throw new TypeError(`writeBranch: \`${file.path}\` appears twice in one commit`);
      seen.add(file.path);
      if (file.mode !== undefined && !MODES.has(file.mode)) {
        throw new TypeError(`writeBranch: \`${file.path}\`: mode must be 100644 or 100755, got ${file.mode}`);
      }
    }
  }
  if (input.author && /[<>\n]/.test(input.author.name + input.author.email)) {
    throw new TypeError("writeBranch: author name and email must not contain <, > or newlines");
  }
}

/** `-c user.*` values for whatever identity the repo lacks, so commits work on a fresh CI box. */
async function fallbackIdentity(git: SimpleGit): Promise<string[]> {
  const [name, email] = await Promise.all([
    tryGit(git, ["config", "--get", "user.name"]),
    tryGit(git, ["config", "--get", "user.email"]),
  ]);
  const config: string[] = [];
  if (!name?.trim()) config.push(`user.name=${FALLBACK_IDENTITY.name}`);
  if (!email?.trim()) config.push(`user.email=${FALLBACK_IDENTITY.email}`);
  return config;
}

async function commitEntry(
  git: SimpleGit,
  treeDir: string,
  entry: BranchCommit,
  messageFile: string,
  author: WriteBranchInput["author"],
): Promise<Omit<WriteBranchResult["commits"][number], "entry"> | null> {
  const written: RepoPath[] = [];
  const deleted: RepoPath[] = [];
  const modes: { plusX: RepoPath[]; minusX: RepoPath[] } = { plusX: [], minusX: [] };

  for (const file of entry.files) {
    await assertNoSymlinkEscape(treeDir, file.path);
    const target = path.join(treeDir, ...file.path.split("/"));
    const existing = await lstat(target).catch(() => null);
    if (existing?.isDirectory()) throw new Error(`writeBranch: \`${file.path}\` is a directory at HEAD`);

    if (file.content === null) {
      if (existing) {
        await unlink(target);
        deleted.push(file.path);
      }
      continue;
    }
    // A file that exists at HEAD keeps its style even when the caller did not describe it (an existing
    // test or doc being updated): a model answers with LF and no BOM whatever the file had.
    const style = file.original ?? (existing?.isFile() ? await styleOf(target) : undefined);
    const data = style ? restoreFileStyle(file.content, style) : file.content;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
    const isExecutable = file.mode ? file.mode === "100755" : existing ? (existing.mode & 0o111) !== 0 : false;
    await chmod(target, isExecutable ? 0o755 : 0o644);
    written.push(file.path);
    // With core.fileMode=false git ignores the file system's exec bit; say it in the index too.
    if (file.mode) (isExecutable ? modes.plusX : modes.minusX).push(file.path);
  }

  const literal = (p: RepoPath) => `:(literal)${p}`;
  for (const chunk of chunks(written)) await git.raw(["add", "--force", "--", ...chunk.map(literal)]);
  for (const chunk of chunks(deleted)) await git.raw(["rm", "--cached", "--ignore-unmatch", "--", ...chunk.map(literal)]);
  for (const chunk of chunks(modes.plusX)) await git.raw(["update-index", "--chmod=+x", "--", ...chunk]);
  for (const chunk of chunks(modes.minusX)) await git.raw(["update-index", "--chmod=-x", "--", ...chunk]);

  const files = (await git.raw(["diff", "--cached", "--name-only", "--no-renames", "-z"])).split("\0").filter(Boolean);
  if (files.length === 0) return null;

  // The message goes through a file: no argv length limit, and no message text is ever parsed as an option.
  await writeFile(messageFile, entry.message);
  const args = ["commit", "--no-verify", "--cleanup=whitespace", "-F", messageFile];
  if (author) args.push(`--author=${author.name} <${author.email}>`);
  await git.raw(args);
  const sha = (await git.raw(["rev-parse", "HEAD"])).trim();
  return { sha, message: entry.message, files };
}

/** The style of a UTF-8 file in the worktree (as HEAD has it); undefined for bytes that are not UTF-8 text. */
async function styleOf(file: string): Promise<FileStyle | undefined> {
  const bytes = await readFile(file);
  if (bytes.length === 0 || !isUtf8(bytes)) return undefined;
  return detectFileStyle(bytes.toString("utf8"));
}

async function createBranch(git: SimpleGit, branch: string, sha: string): Promise<void> {
  try {
    await git.raw(["branch", "--no-track", branch, sha]);
  } catch (error) {
    const line = gitErrorLine(error);
    if (/already exists/i.test(line)) {
      // Someone created it between the preflight and now; the commits stay reachable until gc.
      throw repoStateError(
        SwarmErrorCode.BranchExists,
        `branch \`${branch}\` already exists (created while the run was going)`,
        `the run's result is commit ${sha}; keep it with: git branch <other-name> ${sha}`,
      );
    }
    throw new Error(`git branch ${branch} failed: ${line}`, { cause: error });
  }
}

/** Best effort, never throws: a failed cleanup must not hide the run's result or its real error. */
async function removeWorktree(git: SimpleGit, treeDir: string): Promise<void> {
  await tryGit(git, ["worktree", "remove", "--force", treeDir]);
  // If remove failed (or add failed half way), delete the files ourselves; prune then drops
  // the registration in .git/worktrees because its directory is gone.
  await rm(treeDir, { recursive: true, force: true }).catch(() => {});
  await tryGit(git, ["worktree", "prune"]);
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PATHS_PER_COMMAND) out.push(items.slice(i, i + PATHS_PER_COMMAND));
  return out;
}
