// An in-memory, read-only file system over a list of repo paths, shaped like the subset of `node:fs`
// that fast-glob (through globby's documented `fs` option) and globby's ignore-file reader call.
//
// Why: the run's input is HEAD, not the working tree. Handing globby HEAD's path list as a file system
// gives us globby's exact include/exclude/.gitignore semantics over HEAD itself, without walking the
// disk (see the measurements in scan.ts). Every method answers only from memory; a path outside the
// tree is ENOENT, so nothing falls through to the real disk.
import nodePath from "node:path";
import type { RepoPath } from "../core/index.js";

type Kind = "file" | "dir";
type Callback<T> = (error: NodeJS.ErrnoException | null, value?: T) => void;

export interface TreeFsInput {
  /** Absolute directory the repo paths are relative to (globby's cwd). */
  root: string;
  /** Paths (POSIX, repo-relative) that exist as files. Parent directories are implied. */
  files: Iterable<RepoPath>;
  /** Text of a file when globby asks for it (only ignore files are ever read). */
  readText: (path: RepoPath) => string | undefined;
}

// Allocated once per directory entry per walk (10,000+ per scan), so kept to the fields globs look at.
class TreeStats {
  readonly kind: Kind;
  constructor(kind: Kind) {
    this.kind = kind;
  }
  isFile(): boolean {
    return this.kind === "file";
  }
  isDirectory(): boolean {
    return this.kind === "dir";
  }
  isSymbolicLink(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
}

class TreeDirent extends TreeStats {
  readonly name: string;
  readonly parentPath: string;
  readonly path: string;
  constructor(name: string, parentPath: string, kind: Kind) {
    super(kind);
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
  }
}

function enoent(syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`), {
    code: "ENOENT",
    errno: -2,
    syscall,
    path,
  });
}

function lastArg<T>(args: unknown[]): Callback<T> {
  return args[args.length - 1] as Callback<T>;
}

/** Builds the fs adapter; pass it as globby's `fs` option. */
export function createTreeFs(input: TreeFsInput) {
  const root = nodePath.resolve(input.root);
  const dirs = new Map<string, Map<string, Kind>>([["", new Map()]]);

  for (const file of input.files) {
    let child = file;
    let kind: Kind = "file";
    for (;;) {
      const slash = child.lastIndexOf("/");
      const parent = slash === -1 ? "" : child.slice(0, slash);
      let entries = dirs.get(parent);
      const isNewDir = entries === undefined;
      if (!entries) dirs.set(parent, (entries = new Map()));
      entries.set(child.slice(slash + 1), kind);
      if (!isNewDir || parent === "") break;
      child = parent;
      kind = "dir";
    }
  }

  /** Absolute (or cwd-relative) path → repo-relative key, or undefined when outside the tree. */
  function toKey(path: string | URL | Buffer): string | undefined {
    const absolute = nodePath.resolve(String(path instanceof URL ? path.pathname : path));
    if (absolute === root) return "";
    if (!absolute.startsWith(root + nodePath.sep)) return undefined;
    return absolute.slice(root.length + 1).split(nodePath.sep).join("/");
  }

  function kindOf(key: string | undefined): Kind | undefined {
    if (key === undefined) return undefined;
    if (dirs.has(key)) return "dir";
    const slash = key.lastIndexOf("/");
    return dirs.get(slash === -1 ? "" : key.slice(0, slash))?.get(key.slice(slash + 1));
  }

  function statSync(path: string, options?: { throwIfNoEntry?: boolean }): TreeStats | undefined {
    const key = toKey(path);
    // globby finds the repository root by looking for `.git`; answer at the root so the search stops here.
    const kind = key === ".git" ? "dir" : kindOf(key);
    if (kind === undefined) {
      if (options?.throwIfNoEntry === false) return undefined;
      throw enoent("stat", String(path));
    }
    return new TreeStats(kind);
  }

  function readdirSync(path: string, options?: { withFileTypes?: boolean } | string): TreeDirent[] | string[] {
    const key = toKey(path);
    const entries = key === undefined ? undefined : dirs.get(key);
    if (!entries) throw enoent("scandir", String(path));
    const absolute = nodePath.resolve(String(path));
    if (typeof options === "object" && options?.withFileTypes) {
      return [...entries].map(([name, kind]) => new TreeDirent(name, absolute, kind));
    }
    return [...entries.keys()];
  }

  function readFileSync(path: string, options?: unknown): string | Buffer {
    const key = toKey(path);
    const text = key === undefined || kindOf(key) !== "file" ? undefined : input.readText(key);
    if (text === undefined) throw enoent("open", String(path));
    const encoding = typeof options === "string" ? options : (options as { encoding?: string } | undefined)?.encoding;
    return encoding ? text : Buffer.from(text, "utf8");
  }

  // Callback and promise forms answer synchronously underneath; deferring the callback keeps Node's
  // "callbacks are always async" contract that fast-glob's walker may rely on.
  // `any[]`: these wrap fs functions of every signature and pass the walker's arguments through untouched;
  // `unknown[]` would reject the specific signatures, `never[]` the call.
  const callbackForm =
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    <T>(fn: (...args: any[]) => T) =>
    (...args: unknown[]): void => {
      const done = lastArg<T>(args);
      const params = args.slice(0, -1);
      let result: T;
      try {
        result = fn(...params);
      } catch (error) {
        process.nextTick(done, error as NodeJS.ErrnoException);
        return;
      }
      process.nextTick(done, null, result);
    };
  const promiseForm =
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    <T>(fn: (...args: any[]) => T) =>
    async (...args: unknown[]): Promise<T> =>
      fn(...args);

  return {
    stat: callbackForm(statSync),
    lstat: callbackForm(statSync),
    statSync,
    lstatSync: statSync,
    readdir: callbackForm(readdirSync),
    readdirSync,
    readFile: callbackForm(readFileSync),
    readFileSync,
    promises: {
      stat: promiseForm(statSync),
      lstat: promiseForm(statSync),
      readdir: promiseForm(readdirSync),
      readFile: promiseForm(readFileSync),
    },
  };
}
