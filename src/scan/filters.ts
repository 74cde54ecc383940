// Which HEAD entries become source files, and why the others are skipped. Pure.
//
// Two phases so the scan never reads a blob it will not use: `skipBeforeReading` decides from the tree
// entry alone (mode, name, size from `git ls-tree -l`), `classifyFile` finishes with the blob's bytes.
import { decodeUtf8 } from "../util/index.js";
import type { Eol, RepoPath, Skip, SourceFile } from "../core/index.js";
import { secretContentReason, secretNameReason } from "./secrets.js";

/** The parts of a HEAD tree entry the filters look at (`HeadEntry` from git/head.ts fits). */
export interface EntryInfo {
  path: RepoPath;
  /** git file mode: "100644", "100755", "120000" (symlink), "160000" (submodule). */
  mode: string;
  size: number;
  /** False when the name's bytes are not valid UTF-8. @default true */
  isPathUtf8?: boolean;
}

export interface FilterOptions {
  /** Files larger than this are skipped unread. */
  maxFileBytes: number;
  /** The setting that limit comes from, for the skip's reason. @default "maxFileBytes" */
  maxFileBytesName?: string;
}

/** git's own binary heuristic looks for a NUL in the first 8,000 bytes (xdiff-interface.c, buffer_is_binary). */
const BINARY_PROBE_BYTES = 8000;

const skip = (path: RepoPath, reason: Skip["reason"], detail: string): Skip => ({ path, reason, detail });

/** A skip decided from the tree entry alone, or null when the blob has to be read. */
export function skipBeforeReading(entry: EntryInfo, options: FilterOptions): Skip | null {
  const { path, mode, size } = entry;
  if (mode === "160000") return skip(path, "submodule", "a git submodule; its files belong to another repository");
  if (entry.isPathUtf8 === false) return skip(path, "not-utf8", "the file name is not valid UTF-8");
  const secretName = secretNameReason(path);
  if (secretName) return skip(path, "secret-name", `${secretName}; kept out of every prompt`);
  if (mode === "120000") return skip(path, "symlink", "a symbolic link; its target is scanned on its own if included");
  if (size > options.maxFileBytes) {
    return skip(path, "too-large", `${size} bytes, over ${options.maxFileBytesName ?? "maxFileBytes"} (${options.maxFileBytes})`);
  }
  if (size === 0) return skip(path, "empty", "an empty file");
  return null;
}

/** Classifies a regular file from its HEAD bytes. */
export function classifyFile(entry: EntryInfo, bytes: Uint8Array, options: FilterOptions): SourceFile | Skip {
  const early = skipBeforeReading({ ...entry, size: bytes.length }, options);
  if (early) return early;
  const { path } = entry;

  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) return skip(path, "binary", "a binary file (NUL byte)");

  const decoded = decodeUtf8(bytes);
  if (decoded === null) return skip(path, "not-utf8", "not valid UTF-8 text");
  const { text: content, hasBom } = decoded;
  if (content.length === 0) return skip(path, "empty", "only a byte-order mark");

  const secret = secretContentReason(content, path);
  if (secret) return skip(path, "secret-content", `${secret}; kept out of every prompt`);

  return {
    path,
    bytes: bytes.length,
    content,
    hasBom,
    eol: detectEol(content),
    hasFinalNewline: content.endsWith("\n"),
    mode: entry.mode,
  };
}

/** "\r\n" when the first line break is CRLF; files without any line break count as "\n". */
export function detectEol(content: string): Eol {
  const lf = content.indexOf("\n");
  return lf > 0 && content.charCodeAt(lf - 1) === 13 ? "\r\n" : "\n";
}

