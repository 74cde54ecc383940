// Reading what HEAD holds, as raw bytes through the git runner's plain processes (see git.ts for why
// not simple-git). Every command uses -z where it lists paths, so paths with spaces, quotes, newlines
// or non-ASCII characters come through byte-exact.
import type { RepoPath } from "../core/index.js";
import { decodeUtf8 } from "../util/index.js";
import { runGit, streamGit } from "./git.js";

/** One entry of HEAD's tree (`git ls-tree -r -l`). */
export interface HeadEntry {
  path: RepoPath;
  /** git file mode: "100644", "100755", "120000" (symlink) or "160000" (submodule). */
  mode: string;
  /** "commit" is a submodule (gitlink); its size is reported as 0 because git has none for it. */
  type: "blob" | "commit";
  size: number;
  oid: string;
  /** False when the name's bytes are not valid UTF-8; `path` then holds U+FFFD replacements. */
  isPathUtf8: boolean;
}

export interface WorkingTreeChange {
  path: RepoPath;
  /** Porcelain v1 status letters: X (index) and Y (work tree). */
  index: string;
  worktree: string;
  /** Source path of a rename or copy. */
  origPath?: RepoPath;
}

export interface WorkingTreeStatus {
  /** Staged or unstaged changes to tracked files (everything but `??`). */
  changes: WorkingTreeChange[];
  /** Untracked files, one per file (not collapsed to directories), excluding ignored ones. */
  untracked: RepoPath[];
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
const lossyUtf8 = new TextDecoder("utf-8");

function decodePath(bytes: Buffer): { path: string; isPathUtf8: boolean } {
  try {
    return { path: fatalUtf8.decode(bytes), isPathUtf8: true };
  } catch {
    return { path: lossyUtf8.decode(bytes), isPathUtf8: false };
  }
}

/** Splits a -z listing into records, dropping the empty tail after the last NUL. */
function splitNul(out: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  for (let nul = out.indexOf(0, start); nul !== -1; nul = out.indexOf(0, start)) {
    records.push(out.subarray(start, nul));
    start = nul + 1;
  }
  if (start < out.length) records.push(out.subarray(start));
  return records;
}

/** The commit HEAD points at (40 or 64 hex digits). */
export async function headSha(repo: string): Promise<string> {
  const out = await runGit(repo, ["rev-parse", "--verify", "HEAD^{commit}"]);
  return out.toString("utf8").trim();
}

/** Every blob, symlink and submodule in the tree of `rev` (HEAD by default), paths relative to the repository root. */
export async function headTree(repo: string, rev = "HEAD"): Promise<HeadEntry[]> {
  const out = await runGit(repo, ["ls-tree", "-r", "-l", "-z", "--full-tree", rev]);
  return parseLsTree(out);
}

/**
 * The text HEAD (or `rev`) holds at each of `paths` that is a regular UTF-8 file there, BOM stripped.
 * Paths that are absent, symlinks, submodules or not UTF-8 are left out of the map.
 */
export async function readHeadFiles(repo: string, paths: readonly RepoPath[], rev = "HEAD"): Promise<Map<RepoPath, string>> {
  const wanted = new Set(paths);
  if (wanted.size === 0) return new Map();
  const entries = (await headTree(repo, rev)).filter(
    (entry) => wanted.has(entry.path) && (entry.mode === "100644" || entry.mode === "100755"),
  );
  const blobs = await readBlobs(repo, entries.map((entry) => entry.oid));
  const files = new Map<RepoPath, string>();
  for (const entry of entries) {
    const decoded = decodeUtf8(blobs.get(entry.oid) as Buffer);
    if (decoded !== null) files.set(entry.path, decoded.text);
  }
  return files;
}

/** Parses `git ls-tree -r -l -z` output: `<mode> SP <type> SP <oid> SP+ <size|->\t<path>\0`. */
function parseLsTree(out: Buffer): HeadEntry[] {
  // Decoding the whole listing once is ~5x faster than a TextDecoder call per record at 10,000 files;
  // only a listing with a non-UTF-8 name falls back to per-record decoding to flag that one name.
  let records: { header: string; path: string; isPathUtf8: boolean }[];
  try {
    records = splitRecords(fatalUtf8.decode(out));
  } catch {
    records = splitNul(out).map((record) => {
      const tab = record.indexOf(0x09);
      return { header: record.toString("latin1", 0, Math.max(tab, 0)), ...decodePath(record.subarray(tab + 1)) };
    });
  }
  const entries: HeadEntry[] = [];
  for (const { header, path, isPathUtf8 } of records) {
    const typeAt = header.indexOf(" ") + 1;
    const oidAt = header.indexOf(" ", typeAt) + 1;
    const sizeAt = header.indexOf(" ", oidAt) + 1;
    if (typeAt === 0 || oidAt === 0 || sizeAt === 0) throw new Error(`unexpected git ls-tree record: ${header}`);
    const type = header.slice(typeAt, oidAt - 1);
    if (type !== "blob" && type !== "commit") continue; // trees are not listed with -r
    const size = header.slice(sizeAt).trim();
    entries.push({
      path,
      isPathUtf8,
      mode: header.slice(0, typeAt - 1),
      type,
      oid: header.slice(oidAt, sizeAt - 1),
      size: size === "-" ? 0 : Number(size),
    });
  }
  return entries;
}

function splitRecords(text: string): { header: string; path: string; isPathUtf8: boolean }[] {
  const records = text.split("\0");
  if (records[records.length - 1] === "") records.pop();
  return records.map((record) => {
    const tab = record.indexOf("\t");
    if (tab === -1) throw new Error(`unexpected git ls-tree record: ${record}`);
    return { header: record.slice(0, tab), path: record.slice(tab + 1), isPathUtf8: true };
  });
}

/** `git status --porcelain=v1 -z`: tracked changes (for the "not part of this run" warning) and untracked files. */
export async function workingTreeStatus(repo: string): Promise<WorkingTreeStatus> {
  const out = await runGit(repo, [
    "-c",
    "status.relativePaths=false",
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
  ]);
  return parsePorcelainV1(out);
}

/** Parses porcelain v1 -z: `XY SP path\0`, followed by `origPath\0` when X or Y is R or C. */
function parsePorcelainV1(out: Buffer): WorkingTreeStatus {
  const records = splitNul(out);
  const changes: WorkingTreeChange[] = [];
  const untracked: RepoPath[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record.length < 4) continue;
    const index = String.fromCharCode(record[0]);
    const worktree = String.fromCharCode(record[1]);
    const { path } = decodePath(record.subarray(3));
    if (index === "?" && worktree === "?") {
      untracked.push(path);
      continue;
    }
    if (index === "!" && worktree === "!") continue;
    const change: WorkingTreeChange = { path, index, worktree };
    if (index === "R" || index === "C" || worktree === "R" || worktree === "C") {
      i += 1;
      if (i < records.length) change.origPath = decodePath(records[i]).path;
    }
    changes.push(change);
  }
  return { changes, untracked };
}

/**
 * Reads many blobs through ONE `git cat-file --batch` process.
 *
 * One process instead of one per file: spawning git costs ~2-5 ms, so 10,000 `git show` calls would take
 * tens of seconds, while the batch streams them in well under a second. Duplicate oids are asked once.
 */
export async function readBlobs(repo: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  if (unique.length === 0) return new Map();

  const parser = createBatchParser();
  await streamGit(repo, ["cat-file", "--batch", "--buffer"], unique.join("\n") + "\n", (chunk) => parser.push(chunk));
  if (!parser.isIdle()) throw new Error("git cat-file --batch ended in the middle of an object");
  const blobs = parser.result();
  const missing = unique.find((oid) => !blobs.has(oid));
  if (missing) throw new Error(`git cat-file --batch did not return object ${missing}`);
  return blobs;
}

/**
 * Incremental parser for `git cat-file --batch` output: `<oid> SP <type> SP <size>\n<bytes>\n` per object,
 * or `<oid> missing\n`. Bodies are copied straight into their own buffer as chunks arrive, so a large
 * stream is never re-concatenated; only a header split across two chunks is.
 */
function createBatchParser() {
  const blobs = new Map<string, Buffer>();
  let carry: Buffer | undefined;
  let oid = "";
  let size = 0;
  let body: Buffer | undefined;
  let filled = 0;
  let state: "header" | "body" | "lf" = "header";

  function push(chunk: Buffer): void {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = undefined;
    let pos = 0;
    while (pos < buf.length) {
      if (state === "header") {
        const lf = buf.indexOf(0x0a, pos);
        if (lf === -1) {
          carry = buf.subarray(pos);
          return;
        }
        const header = buf.toString("latin1", pos, lf);
        pos = lf + 1;
        const parts = header.split(" ");
        if (parts.length !== 3) throw new Error(`git cat-file --batch: ${header}`);
        oid = parts[0];
        size = Number(parts[2]);
        body = size === 0 ? Buffer.alloc(0) : undefined;
        filled = 0;
        state = size === 0 ? "lf" : "body";
      } else if (state === "body") {
        // The common case, a whole blob inside this chunk, is a view instead of a copy.
        if (body === undefined && buf.length - pos >= size) {
          body = buf.subarray(pos, pos + size);
          pos += size;
          state = "lf";
          continue;
        }
        body ??= Buffer.allocUnsafe(size);
        const take = Math.min(size - filled, buf.length - pos);
        buf.copy(body, filled, pos, pos + take);
        filled += take;
        pos += take;
        if (filled === size) state = "lf";
      } else {
        if (buf[pos] !== 0x0a) throw new Error("git cat-file --batch: missing newline after object");
        pos += 1;
        blobs.set(oid, body as Buffer);
        body = undefined;
        state = "header";
      }
    }
  }

  return {
    push,
    isIdle: () => state === "header" && carry === undefined,
    result: () => blobs,
  };
}
