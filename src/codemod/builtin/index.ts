import { moveFile } from "./move-file.js";
import { renameExport } from "./rename-export.js";
import { failed, type BuiltinRepo, type BuiltinResult, type BuiltinSpec } from "./types.js";

export { parseBuiltinSpec } from "./spec.js";
export type { BuiltinRepo, BuiltinResult, BuiltinSpec, FileChange } from "./types.js";

/** A built-in codemod over the repository's HEAD text: pure, text in and text out (the caller writes the files). */
export function runBuiltin(spec: BuiltinSpec, repo: BuiltinRepo): BuiltinResult {
  try {
    return spec.kind === "rename-export" ? renameExport(spec.file, spec.from, spec.to, repo) : moveFile(spec.from, spec.to, repo);
  } catch (error) {
    // The compiler can give up on code it cannot make sense of; that is a reason for the user, not a crash of the run.
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    return failed(`${spec.kind} could not run: ${message}`);
  }
}
