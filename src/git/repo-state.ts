import { stat } from "node:fs/promises";
import path from "node:path";
import { repoStateError, SwarmError, SwarmErrorCode } from "../core/index.js";
import { gitAt, gitErrorLine, knownGitFailure, tryGit, type SimpleGit } from "./git.js";

/** What the preflight learned about the repository the run will branch from. */
export interface RepoState {
  /** The path the user gave, resolved to an absolute path. */
  path: string;
  /** Top level of the working tree `path` is in (may equal `path`). Everything else works from here. */
  top: string;
  /** `path` relative to `top`, POSIX separators; `""` when `path` is the top. */
  prefix: string;
  /** The commit the new branch starts from. */
  headSha: string;
  /** Short name of the checked-out branch; `null` when HEAD is detached. */
  currentBranch: string | null;
  detached: boolean;
  /** Uncommitted or untracked changes exist. They are not the run's input (the run reads HEAD). */
  dirty: boolean;
  /** HEAD holds gitlinks; their contents are not part of the run. */
  hasSubmodules: boolean;
}

export interface RepoStateOptions {
  /** The branch the run will create; when given it must be valid and not taken. */
  branch?: string;
}

/** `git worktree remove` appeared in 2.17. */
const MIN_GIT: [number, number] = [2, 17];

/**
 * Preflight before any work or spending:
 * - the path exists and is inside a non-bare git working tree with at least one commit;
 * - the requested branch name (when given) is valid and free, including `a` vs `a/b` ref clashes;
 * - reports HEAD, the current branch (or detached), dirtiness and submodules.
 * Read-only: status runs with `--no-optional-locks` so not even the index stat cache is refreshed.
 * Every failure is a {@link SwarmError} (exit 2) with a one-line message and a hint.
 */
export async function checkRepoState(repoPath: string, opts: RepoStateOptions = {}): Promise<RepoState> {
  const resolved = path.resolve(repoPath);
  await assertDirectory(resolved);
  const git = gitAt(resolved);

  const [version, where] = await Promise.allSettled([
    git.raw(["--version"]),
    git.raw(["rev-parse", "--is-bare-repository", "--is-inside-work-tree"]),
  ]);
  assertGitVersion(version);
  if (where.status === "rejected") throw notARepo(resolved, where.reason);
  const [isBare, isInsideWorkTree] = where.value.trim().split(/\s+/);
  if (isBare === "true") {
    throw repoStateError(
      SwarmErrorCode.BareRepo,
      `${resolved} is a bare repository; swarm needs a working tree`,
      "clone it (git clone <bare-repo> <dir>) and run swarm in the clone",
    );
  }
  if (isInsideWorkTree !== "true") {
    throw repoStateError(
      SwarmErrorCode.NotARepo,
      `not inside a git working tree: ${resolved}`,
      "pass the repository's working tree, not its .git directory",
    );
  }

  // One line each; the prefix line is empty at the top. Not trimmed: a path may end in a space.
  const [topLine, prefixLine = ""] = (await git.raw(["rev-parse", "--show-toplevel", "--show-prefix"])).split("\n");
  const top = path.resolve(topLine);
  const topGit = gitAt(top);

  // Independent probes in parallel (each is a process spawn); errors are judged in order below.
  const [head, symbolic, branchProblem, status, tree] = await Promise.all([
    tryGit(topGit, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]),
    tryGit(topGit, ["symbolic-ref", "--quiet", "HEAD"]),
    opts.branch === undefined ? null : assertBranchUsable(topGit, opts.branch).then(() => null, (error: unknown) => error),
    orError(topGit.raw(["--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=normal"])),
    orError(topGit.raw(["ls-tree", "-r", "-z", "HEAD"])),
  ]);

  const headSha = head?.trim();
  if (!headSha) {
    throw repoStateError(
      SwarmErrorCode.NoCommits,
      `repository has no commits yet: ${top}`,
      "commit your files first; swarm branches from HEAD",
    );
  }
  if (branchProblem) throw branchProblem;
  // Only reachable if git fails on a repo it has just described (corruption, permissions).
  if (status instanceof Error) throw new Error(`git status failed in ${top}: ${gitErrorLine(status)}`, { cause: status });
  if (tree instanceof Error) throw new Error(`git ls-tree HEAD failed in ${top}: ${gitErrorLine(tree)}`, { cause: tree });

  const symbolicRef = symbolic?.trim();
  const currentBranch = symbolicRef?.startsWith("refs/heads/") ? symbolicRef.slice("refs/heads/".length) : null;
  return {
    path: resolved,
    top,
    prefix: prefixLine.replace(/\/$/, ""),
    headSha,
    currentBranch,
    detached: currentBranch === null,
    dirty: status.length > 0,
    hasSubmodules: tree.split("\0").some((entry) => entry.startsWith("160000 ")),
  };
}

async function assertDirectory(resolved: string): Promise<void> {
  const info = await stat(resolved).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
    throw error;
  });
  if (!info) throw repoStateError(SwarmErrorCode.NoSuchPath, `repository path does not exist: ${resolved}`);
  if (!info.isDirectory()) {
    throw repoStateError(SwarmErrorCode.NoSuchPath, `repository path is not a directory: ${resolved}`, "pass the repository's folder");
  }
}

function assertGitVersion(version: PromiseSettledResult<string>): void {
  if (version.status === "rejected") {
    throw new SwarmError(SwarmErrorCode.GitNotFound, "git is not installed or not on PATH", {
      hint: "install git 2.17 or newer",
      cause: version.reason,
    });
  }
  const match = /(\d+)\.(\d+)/.exec(version.value);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (major < MIN_GIT[0] || (major === MIN_GIT[0] && minor < MIN_GIT[1])) {
    throw new SwarmError(SwarmErrorCode.GitTooOld, `git ${MIN_GIT.join(".")} or newer is required, found: ${version.value.trim()}`, {
      hint: "upgrade git",
    });
  }
}

const orError = (promise: Promise<string>): Promise<string | Error> =>
  promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));

function notARepo(resolved: string, error: unknown): SwarmError {
  const known = knownGitFailure(resolved, error);
  if (known?.code === SwarmErrorCode.NotARepo) return known;
  return new SwarmError(SwarmErrorCode.NotARepo, `not a git repository: ${resolved}`, {
    hint: "run swarm inside a git working tree, or pass its path",
    cause: error,
  });
}

/**
 * Rejects names git would refuse (`git check-ref-format`) and names git would take for an option or
 * HEAD, then names that collide with an existing branch: the same name, or a file/directory clash
 * (`swarm` exists so `swarm/x` cannot, and the other way round).
 */
async function assertBranchUsable(git: SimpleGit, branch: string): Promise<void> {
  const isWellFormed =
    branch !== "" &&
    !branch.startsWith("-") &&
    branch !== "HEAD" &&
    (await tryGit(git, ["check-ref-format", `refs/heads/${branch}`])) !== null;
  if (!isWellFormed) {
    throw repoStateError(
      SwarmErrorCode.BadBranch,
      `--branch: \`${branch}\` is not a valid git branch name`,
      "use letters, digits, '-', '_', '.' and '/' separators, e.g. --branch swarm/my-refactor",
    );
  }

  const ref = `refs/heads/${branch}`;
  const refs = (await git.raw(["for-each-ref", "--format=%(refname)", "refs/heads/"])).split("\n").filter(Boolean);
  const hint = `pick another name with --branch <name>, or delete the old one: git branch -D ${branch}`;
  for (const existing of refs) {
    if (existing === ref) throw repoStateError(SwarmErrorCode.BranchExists, `branch \`${branch}\` already exists`, hint);
    if (ref.startsWith(`${existing}/`) || existing.startsWith(`${ref}/`)) {
      const other = existing.slice("refs/heads/".length);
      throw repoStateError(
        SwarmErrorCode.BranchExists,
        `branch \`${branch}\` cannot be created: it clashes with existing branch \`${other}\``,
        "pick another name with --branch <name>",
      );
    }
  }
}
