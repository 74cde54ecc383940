// move-file: the language service's getEditsForFileRename rewrites every import, re-export, import() and
// require() that names the file, keeping each importer's style (relative or alias, with or without an extension,
// `./x/index`), and the moved file's own relative imports. ts-morph's SourceFile.move rewrites relative specifiers
// only, so aliases would break.
import type { RepoPath } from "../../core/index.js";
import { isParsablePath } from "../../graph/index.js";
import { applyTextChanges, graphOf, repoProject, toAbsolute, toRepo } from "./project.js";
import { failed, type BuiltinRepo, type BuiltinResult, type FileChange } from "./types.js";

export function moveFile(from: RepoPath, to: RepoPath, repo: BuiltinRepo): BuiltinResult {
  const text = repo.files.get(from);
  if (text === undefined) {
    return failed(repo.allPaths.includes(from) ? `${from} is not a source file swarm reads` : `${from} does not exist`);
  }
  if (repo.files.has(to) || repo.allPaths.includes(to)) return failed(`${to} already exists`);
  if (repo.allPaths.some((path) => path.startsWith(`${to}/`))) return failed(`${to} is a folder`);
  if (!isParsablePath(from) || !isParsablePath(to)) {
    return failed(`move-file moves JavaScript and TypeScript files; ${isParsablePath(from) ? to : from} is neither`);
  }

  // Only the file and its direct importers name it; the import graph is the one validation uses.
  const graph = graphOf(repo);
  const project = repoProject(repo.files, [from, ...graph.importersOf(from)]);
  const edits = project
    .getLanguageService()
    .compilerObject.getEditsForFileRename(toAbsolute(from), toAbsolute(to), {}, { allowTextChangesInNewFiles: true });

  const contents = new Map<RepoPath, string>();
  for (const edit of edits) {
    const path = toRepo(edit.fileName);
    const before = path === null ? undefined : repo.files.get(path);
    if (path === null || before === undefined) continue;
    contents.set(path, applyTextChanges(contents.get(path) ?? before, edit.textChanges));
  }
  const moved = contents.get(from) ?? text;
  contents.delete(from);
  const changes: FileChange[] = [
    { path: from, content: null },
    { path: to, content: moved },
    ...[...contents].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, content]) => ({ path, content })),
  ];
  return { changes, problems: [] };
}
