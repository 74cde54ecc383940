// What a codemod is handed and what the pass over the plan's files produced. Plain data besides the ts-morph
// objects the user's function receives.
import type { SourceFile } from "ts-morph";
import type { RepoPath, Role } from "../core/index.js";

/** The second argument of a user codemod: the run's instruction and a read-only view of the project. */
export interface CodemodContext {
  instruction: string;
  /** Repo-relative path of the file being transformed. */
  path: RepoPath;
  role: Role;
  /** Other files of the project as HEAD has them (plus what the codemod did to earlier files): read them, do not edit them. */
  project: { getSourceFile(path: RepoPath): SourceFile | undefined; getSourceFiles(): SourceFile[] };
  /** The import graph validation uses: the files a path imports, and the files importing it. */
  graph: { importsOf(path: RepoPath): RepoPath[]; importersOf(path: RepoPath): RepoPath[] };
  /** Sends this file to the model, with what the codemod did so far and this reason in its prompt. */
  handOff(reason: string): void;
}

export type CodemodFunction = (file: SourceFile, ctx: CodemodContext) => void | Promise<void>;

/** One planned file after the pass. `content`: the file as the codemod left it (HEAD's text when it did nothing). */
export type CodemodOutcome =
  | { status: "done"; content: string; changed: boolean }
  | { status: "handed-off"; content: string; reason: string }
  /** It threw: the file goes to the model like a hand-off, and the report lists the failure with its first stack frame. */
  | { status: "failed"; content: string; reason: string; frame?: string };

/** A change outside the plan's refactor outputs (built-ins): an importer, a moved file's new path; null deletes. */
export interface ExtraChange {
  path: RepoPath;
  content: string | null;
}

export interface CodemodPass {
  /** The spec as the user named it: a module path or a built-in spec. */
  spec: string;
  /** By planned file (each file with a refactor task). */
  files: Map<RepoPath, CodemodOutcome>;
  extra: ExtraChange[];
  /** Reasons a built-in could not do part of its work (e.g. the export was not found). */
  problems: string[];
  /** A built-in's edits only make sense together (a rename, a move): one reverted file reverts them all. */
  atomic: boolean;
}
