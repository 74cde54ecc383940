import type { RepoPath } from "../../core/index.js";
import type { ImportGraph } from "../../graph/index.js";

/** One file of the result: its new text, or null when the file is deleted. A path may be new. */
export interface FileChange {
  path: RepoPath;
  content: string | null;
}

/**
 * What a built-in codemod would do. With any problem the change is not made (changes is empty): half a rename
 * leaves code that does not compile.
 */
export interface BuiltinResult {
  changes: FileChange[];
  /** One line each, for the user: "src/a.ts has no export named foo". */
  problems: string[];
}

export type BuiltinSpec =
  | { kind: "rename-export"; file: RepoPath; from: string; to: string }
  | { kind: "move-file"; from: RepoPath; to: RepoPath };

/** The repository at HEAD, as the codemod sees it. */
export interface BuiltinRepo {
  /** Text of the source files, plus tsconfig.json/jsconfig.json and package.json when present. */
  files: ReadonlyMap<RepoPath, string>;
  /** Every path of the repository (assets and skipped files too): a move must not land on one. */
  allPaths: readonly RepoPath[];
  /** The import graph of exactly these files, when the caller has it; built here otherwise. */
  graph?: ImportGraph;
}

export const failed = (...problems: string[]): BuiltinResult => ({ changes: [], problems });
