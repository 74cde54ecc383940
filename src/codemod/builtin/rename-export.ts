// rename-export: the language service's rename, started at the export's own name, finds every reference the
// checker can bind: named and type-only imports, `export { } from` and `export *` barrels (their importers too),
// tsconfig path aliases, `ns.name`, `import()` and require() destructuring. Prefix/suffix text is off, so a
// barrel's `export { a }` becomes `export { b }` (not `export { b as a }`) and `import { a }` becomes
// `import { b }` with its local uses renamed; `import { a as c }` keeps `c`.
import { ts, type Node, type Project, type SourceFile } from "ts-morph";
import type { RepoPath } from "../../core/index.js";
import { isParsablePath, type ImportGraph } from "../../graph/index.js";
import { applyTextChanges, graphOf, repoProject, toAbsolute, toRepo } from "./project.js";
import { failed, type BuiltinRepo, type BuiltinResult, type FileChange } from "./types.js";

export function renameExport(file: RepoPath, from: string, to: string, repo: BuiltinRepo): BuiltinResult {
  if (!repo.files.has(file)) {
    return failed(repo.allPaths.includes(file) ? `${file} is not a source file swarm reads` : `${file} does not exist`);
  }
  if (!isParsablePath(file)) return failed(`${file} is not a JavaScript or TypeScript file`);
  const graph = graphOf(repo);
  const project = repoProject(repo.files, reachers(graph, file));
  const sourceFile = project.getSourceFileOrThrow(toAbsolute(file));
  const checker = project.getTypeChecker().compilerObject;
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile.compilerNode);
  const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const target = exports.find((s) => s.name === from);
  if (!target) return failed(`${file} has no export named ${from}`);
  if (exports.some((s) => s.name === to)) return failed(`${file} already exports ${to}`);
  const nameNode = exportNameNode(target, sourceFile);
  if (!nameNode) return failed(`${file}: ${from} is not declared in a way rename-export can follow`);
  if (declaredIn(sourceFile.compilerNode, to, checker, sourceFile.compilerNode)) return failed(`${file} already declares ${to}`);
  const clashes = barrelClashes(project, graph, file, to);
  if (clashes.length > 0) return failed(...clashes.map((barrel) => `${barrel} already exports ${to}; renaming would make it ambiguous`));

  const service = project.getLanguageService().compilerObject;
  const found = service.findRenameLocations(toAbsolute(file), nameNode.getStart(), false, false, RENAME);
  if (!found) return failed(`${file}: the compiler cannot rename ${from}`);
  const locations = [...found, ...requireLocations(project, found, { fileName: toAbsolute(file), start: nameNode.getStart() }, from)];

  const byFile = new Map<RepoPath, { span: ts.TextSpan; newText: string }[]>();
  const problems = new Set<string>();
  for (const location of locations) {
    const path = toRepo(location.fileName);
    if (path === null || !repo.files.has(path)) continue;
    const at = project.getSourceFile(location.fileName)?.compilerNode;
    const node = at && tokenAt(at, location.textSpan.start);
    if (at && node && bindsLocally(node) && declaredIn(node, to, checker, at)) problems.add(`${path} already has a ${to} where ${from} is used`);
    // `{ a }` in an object literal is a property named a: keep the property, rename the value.
    const newText = node && ts.isShorthandPropertyAssignment(node.parent) ? `${from}: ${to}` : to;
    const edits = byFile.get(path) ?? [];
    edits.push({ span: location.textSpan, newText });
    byFile.set(path, edits);
  }
  if (problems.size > 0) return failed(...problems);
  const changes: FileChange[] = [...byFile]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, edits]) => ({ path, content: applyTextChanges(repo.files.get(path)!, edits) }));
  return { changes, problems: [] };
}

const RENAME: ts.UserPreferences = { providePrefixAndSuffixTextForRename: false };

/**
 * References in JavaScript files that require() the module: the rename from the export does not reach them
 * (TypeScript's import tracker skips require destructuring), but each one's definition is the export.
 */
function requireLocations(
  project: Project,
  found: readonly ts.RenameLocation[],
  declaration: { fileName: string; start: number },
  from: string,
): ts.RenameLocation[] {
  const service = project.getLanguageService().compilerObject;
  const seen = new Set(found.map((l) => `${l.fileName}:${l.textSpan.start}`));
  const extra: ts.RenameLocation[] = [];
  const add = (location: ts.RenameLocation) => {
    const key = `${location.fileName}:${location.textSpan.start}`;
    if (seen.has(key)) return;
    seen.add(key);
    extra.push(location);
  };
  for (const sourceFile of project.getSourceFiles()) {
    const node = sourceFile.compilerNode;
    if (!/\.[cm]?jsx?$/.test(node.fileName) || toRepo(node.fileName) === null || !node.text.includes(from)) continue;
    const visit = (child: ts.Node): void => {
      if (ts.isIdentifier(child) && child.text === from && !seen.has(`${node.fileName}:${child.getStart(node)}`)) {
        const start = child.getStart(node);
        const isTheExport = service
          .getDefinitionAtPosition(node.fileName, start)
          ?.some((d) => d.fileName === declaration.fileName && d.textSpan.start === declaration.start);
        if (isTheExport) {
          // A destructured binding renames with its local uses; a `.name` access is just itself.
          const more = ts.isBindingElement(child.parent) ? service.findRenameLocations(node.fileName, start, false, false, RENAME) : undefined;
          for (const location of more ?? [{ fileName: node.fileName, textSpan: { start, length: from.length } }]) add(location);
        }
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
  }
  return extra;
}

/** The file and every file that imports it, directly or through other files: only these can name its exports. */
function reachers(graph: ImportGraph, file: RepoPath): RepoPath[] {
  const seen = new Set([file]);
  const queue = [file];
  while (queue.length > 0) {
    for (const importer of graph.importersOf(queue.pop()!)) {
      if (!seen.has(importer)) {
        seen.add(importer);
        queue.push(importer);
      }
    }
  }
  return [...seen];
}

/** Where the rename starts: the name that makes the export (`export { x as a }`: the `a`; else the declaration's name). */
function exportNameNode(symbol: ts.Symbol, sourceFile: SourceFile): Node | undefined {
  const declaration = symbol.declarations?.find((d) => d.getSourceFile() === sourceFile.compilerNode) ?? symbol.declarations?.[0];
  if (!declaration) return undefined;
  const name = ts.isExportSpecifier(declaration) ? declaration.name : ts.getNameOfDeclaration(declaration);
  if (!name || name.getSourceFile() !== sourceFile.compilerNode) return undefined;
  return sourceFile.getDescendantAtPos(name.getStart(sourceFile.compilerNode));
}

function tokenAt(sourceFile: ts.SourceFile, position: number): ts.Node | undefined {
  const find = (node: ts.Node): ts.Node | undefined =>
    position >= node.getStart(sourceFile) && position < node.getEnd() ? (ts.forEachChild(node, find) ?? node) : undefined;
  return find(sourceFile);
}

/**
 * The identifier at a rename location is a name in scope (a binding or a use), not a property or an export name:
 * only there can the new name collide with a local.
 */
function bindsLocally(node: ts.Node): boolean {
  const parent = node.parent;
  if (!ts.isIdentifier(node) || !parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName !== undefined) return false;
  if (ts.isExportSpecifier(parent) && (parent.parent.parent.moduleSpecifier !== undefined)) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === node) return false;
  return true;
}

/** Something of the repository's own (not a lib global) named `name` is in scope at `node`. */
function declaredIn(node: ts.Node, name: string, checker: ts.TypeChecker, sourceFile: ts.SourceFile): boolean {
  const flags = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;
  return checker
    .getSymbolsInScope(node, flags)
    .some((s) => s.name === name && (s.declarations ?? []).some((d) => d.getSourceFile() === sourceFile));
}

/** Barrels that re-export the file with `export *` and already export `to` from elsewhere (TS2308 after the rename). */
function barrelClashes(project: Project, graph: ImportGraph, file: RepoPath, to: string): RepoPath[] {
  const checker = project.getTypeChecker().compilerObject;
  const barrels = new Set<RepoPath>();
  const queue = [file];
  while (queue.length > 0) {
    const current = queue.pop()!;
    for (const importer of graph.importersOf(current)) {
      const node = graph.files.get(importer);
      const reExportsAll = node?.starTargets.some((r) => r.kind === "file" && r.path === current);
      if (reExportsAll && !barrels.has(importer)) {
        barrels.add(importer);
        queue.push(importer);
      }
    }
  }
  return [...barrels].sort().filter((barrel) => {
    const sourceFile = project.getSourceFile(toAbsolute(barrel))?.compilerNode;
    const symbol = sourceFile ? checker.getSymbolAtLocation(sourceFile) : undefined;
    return symbol !== undefined && checker.getExportsOfModule(symbol).some((s) => s.name === to);
  });
}
