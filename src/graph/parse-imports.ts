// Pure: a JS/TS file's text → its import records, via the TypeScript parser (no type checker, no program).
import { ts } from "ts-morph";
import type { ImportRecord, ParsedModule } from "./types.js";
import { collectEsmExports, createCommonJsCollector, finishExports, needsCommonJsWalk } from "./exports.js";

const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  ".ts": ts.ScriptKind.TS,
  ".mts": ts.ScriptKind.TS,
  ".cts": ts.ScriptKind.TS,
  ".tsx": ts.ScriptKind.TSX,
  ".js": ts.ScriptKind.JS,
  ".mjs": ts.ScriptKind.JS,
  ".cjs": ts.ScriptKind.JS,
  ".jsx": ts.ScriptKind.JSX,
};

/** The script kind for a path, or null when it is not a file we parse (JSON, CSS, ...). */
export function scriptKindOf(path: string): ts.ScriptKind | null {
  const dot = path.lastIndexOf(".");
  if (dot < 0 || dot < path.lastIndexOf("/")) return null;
  return SCRIPT_KINDS[path.slice(dot).toLowerCase()] ?? null;
}

export function isParsablePath(path: string): boolean {
  return scriptKindOf(path) !== null;
}

/** Where the compiler sees the repository: ts-program.ts names every file `${COMPILER_ROOT}/<repo path>`. */
export const COMPILER_ROOT = "/repo";

/**
 * Parses kept for the compiler (TypeScript files only): the type gate's program takes these instead of parsing
 * every file a second time. Path → the latest versions, each claimed by at most one compiler program, since
 * binding writes into the tree and another tsconfig's options would bind it differently.
 */
export type SharedParses = Map<string, { text: string; sourceFile: ts.SourceFile; claimedBy?: object }[]>;

/** Parses a shared TS file is kept in: HEAD's, an agent's, a repair's. */
const SHARED_VERSIONS = 3;

export function parseSource(path: string, text: string, forCompiler = false): ts.SourceFile {
  // setParentNodes is off: parse-only work is about twice as fast without it, and the walkers carry parents themselves.
  // JSDoc is not parsed: imports and exports never live in it, and skipping it makes the parse ~30% cheaper
  // (3,000 generated JS files: 918 → 624 ms). A TS tree kept for the compiler gets tsc's own mode, which only looks
  // for @see/@link (cheap), so the compiler can reuse it; a tree nobody keeps (`swarm plan`, `swarm estimate`) does
  // not (the same imports, exports and syntax errors for 5,628 TS files). declarations.ts parses its own tree, with
  // parents, for the signatures it prints.
  const kind = scriptKindOf(path) ?? ts.ScriptKind.TS;
  const isTs = kind === ts.ScriptKind.TS || kind === ts.ScriptKind.TSX;
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: isTs && forCompiler ? ts.JSDocParsingMode.ParseForTypeErrors : ts.JSDocParsingMode.ParseNone };
  return ts.createSourceFile(`${COMPILER_ROOT}/${path}`, text, options, false, kind);
}

/** Imports, exports and the first syntax error of one file, from a single parse (kept in `shared` for the compiler). */
export function parseModule(path: string, text: string, shared?: SharedParses): ParsedModule {
  const keep = shared !== undefined && /\.tsx?$/.test(path);
  const sf = parseSource(path, text, keep);
  if (shared && keep) {
    const versions = shared.get(sf.fileName) ?? [];
    versions.push({ text, sourceFile: sf });
    if (versions.length > SHARED_VERSIONS) versions.shift();
    shared.set(sf.fileName, versions);
  }
  const { info, hasExportEquals } = collectEsmExports(sf);
  // One walk over the tree serves both require()/import() calls and CommonJS export assignments.
  const commonJs = needsCommonJsWalk(text) ? createCommonJsCollector(info) : null;
  const imports = collectImports(sf, commonJs?.visit);
  const parsed: ParsedModule = {
    imports,
    exports: finishExports(info, hasExportEquals || (commonJs?.found() ?? false)),
  };
  const diagnostics = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics;
  const first = diagnostics?.[0];
  if (first) {
    parsed.syntaxError = {
      line: sf.getLineAndCharacterOfPosition(first.start).line + 1,
      message: ts.flattenDiagnosticMessageText(first.messageText, "\n"),
    };
  }
  return parsed;
}

export function parseImports(path: string, text: string): ImportRecord[] {
  return collectImports(parseSource(path, text));
}

function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

function stringLiteralText(node: ts.Node | undefined): string | null {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return null;
}

function moduleExportName(node: ts.ModuleExportName): string {
  return node.text;
}

/** `alsoVisit` is called on every node when the file gets walked (it always is when given). */
function collectImports(sf: ts.SourceFile, alsoVisit?: (node: ts.Node) => void): ImportRecord[] {
  const records: ImportRecord[] = [];
  const place = (node: ts.Node) => ({
    line: lineOf(sf, node.getStart(sf)),
    endLine: lineOf(sf, node.end),
  });

  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement)) {
      const specifier = stringLiteralText(statement.moduleSpecifier);
      if (specifier === null) continue;
      records.push(importDeclarationRecord(statement, specifier, place(statement)));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const specifier = stringLiteralText(statement.moduleSpecifier);
      if (specifier === null) continue;
      records.push(exportFromRecord(statement, specifier, place(statement)));
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference)
    ) {
      const specifier = stringLiteralText(statement.moduleReference.expression);
      if (specifier === null) continue;
      records.push({
        specifier,
        kind: statement.isTypeOnly ? "import-type" : "require",
        names: [],
        default: false,
        namespace: true,
        typeOnly: statement.isTypeOnly,
        ...place(statement),
      });
    }
  }

  // Calls and import types can sit anywhere; skip the full walk when the text cannot contain one.
  const text = sf.text;
  const hasCalls = text.includes("require") || /\bimport\s*\(/.test(text);
  if (hasCalls || alsoVisit) collectCallImports(sf, records, place, hasCalls, alsoVisit);
  return records;
}

function importDeclarationRecord(
  statement: ts.ImportDeclaration,
  specifier: string,
  at: { line: number; endLine: number },
): ImportRecord {
  const clause = statement.importClause;
  if (!clause) return { specifier, kind: "side-effect", names: [], default: false, namespace: false, ...at };
  const clauseTypeOnly = clause.isTypeOnly;
  const record: ImportRecord = {
    specifier,
    kind: clauseTypeOnly ? "import-type" : "import",
    names: [],
    default: clause.name !== undefined,
    namespace: false,
    typeOnly: clauseTypeOnly,
    ...at,
  };
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) record.namespace = true;
  else if (bindings) {
    for (const element of bindings.elements) {
      const imported = moduleExportName(element.propertyName ?? element.name);
      if (imported === "default") {
        record.default = true;
        continue;
      }
      record.names.push({ imported, local: element.name.text, typeOnly: clauseTypeOnly || element.isTypeOnly });
    }
  }
  return record;
}

function exportFromRecord(
  statement: ts.ExportDeclaration,
  specifier: string,
  at: { line: number; endLine: number },
): ImportRecord {
  const typeOnly = statement.isTypeOnly;
  const record: ImportRecord = { specifier, kind: "export-from", names: [], default: false, namespace: false, typeOnly, ...at };
  const clause = statement.exportClause;
  if (!clause) record.star = true;
  else if (ts.isNamespaceExport(clause)) record.namespace = true;
  else {
    for (const element of clause.elements) {
      const imported = moduleExportName(element.propertyName ?? element.name);
      if (imported === "default") {
        record.default = true;
        continue;
      }
      record.names.push({ imported, local: moduleExportName(element.name), typeOnly: typeOnly || element.isTypeOnly });
    }
  }
  return record;
}

type Place = (node: ts.Node) => { line: number; endLine: number };

/** require(), import() and `import("x").T` anywhere in the file. */
function collectCallImports(
  sf: ts.SourceFile,
  records: ImportRecord[],
  place: Place,
  hasCalls: boolean,
  alsoVisit: ((node: ts.Node) => void) | undefined,
): void {
  // Records of `const m = require("x")`: their `m.prop` usages become names after the walk.
  const namespaceLocals = new Map<string, ImportRecord[]>();
  // Calls already recorded through their declaration or property access (parents are visited first).
  const handled = new Set<ts.Node>();

  const record = (call: ts.CallExpression, specifier: string): ImportRecord => {
    handled.add(call);
    const kind = call.expression.kind === ts.SyntaxKind.ImportKeyword ? "dynamic-import" : "require";
    const entry: ImportRecord = { specifier, kind, names: [], default: false, namespace: false, ...place(call) };
    records.push(entry);
    return entry;
  };

  // Every node either visitor cares about spans one of these words; subtrees without one are skipped,
  // which keeps the walk off the function bodies that make up most of a file.
  const offsets = wordOffsets(sf.text, hasCalls ? ["require", "import", "exports"] : ["exports"]);
  const visit = (node: ts.Node, parent: ts.Node): void => {
    if (!spansOffset(offsets, node.pos, node.end)) return;
    alsoVisit?.(node);
    if (!hasCalls) {
      // Nothing to find here; keep walking for the other visitor.
    } else if (ts.isVariableDeclaration(node) && node.initializer) {
      const call = moduleCall(node.initializer);
      if (call) {
        const entry = record(call.node, call.specifier);
        // `const p = import("x")` holds a promise: `p.then` is not an export of "x".
        if (call.isPromise) entry.namespace = true;
        else bindFromDeclaration(node.name, entry, namespaceLocals);
      }
    } else if (ts.isPropertyAccessExpression(node)) {
      const call = moduleCall(node.expression);
      if (call) {
        const entry = record(call.node, call.specifier);
        const name = node.name.text;
        if (call.isPromise) entry.namespace = true;
        else if (name === "default") entry.default = true;
        else entry.names.push({ imported: name, local: name, typeOnly: false });
      }
    } else if (ts.isCallExpression(node) && !handled.has(node)) {
      const specifier = moduleCallSpecifier(node);
      if (specifier !== null) {
        // A bare `require("x");` loads the module for its side effects; anything else uses it whole.
        record(node, specifier).namespace = !ts.isExpressionStatement(parent);
      }
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      const specifier = ts.isLiteralTypeNode(arg) ? stringLiteralText(arg.literal) : null;
      if (specifier !== null) {
        const first = node.qualifier ? leftmostName(node.qualifier) : null;
        records.push({
          specifier,
          kind: "import-type",
          names: first && first !== "default" ? [{ imported: first, local: first, typeOnly: true }] : [],
          default: first === "default",
          namespace: first === null,
          typeOnly: true,
          ...place(node),
        });
      }
    }
    ts.forEachChild(node, (child) => visit(child, node));
  };
  ts.forEachChild(sf, (child) => visit(child, sf));

  if (namespaceLocals.size > 0) collectNamespaceUsages(sf, namespaceLocals);
}

function leftmostName(name: ts.EntityName): string {
  let current: ts.EntityName = name;
  while (ts.isQualifiedName(current)) current = current.left;
  return current.text;
}

/** Strips `await`, parentheses, `as`, `!` around an expression; says whether an `await` was among them. */
function unwrap(expression: ts.Expression): { inner: ts.Expression; isAwaited: boolean } {
  let current = expression;
  let isAwaited = false;
  for (;;) {
    if (ts.isAwaitExpression(current)) {
      isAwaited = true;
      current = current.expression;
    } else if (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isSatisfiesExpression(current)
    )
      current = current.expression;
    else return { inner: current, isAwaited };
  }
}

/** A require()/import() call under `expression`; `isPromise`: an import() not awaited, so its value is a promise. */
function moduleCall(expression: ts.Expression): { node: ts.CallExpression; specifier: string; isPromise: boolean } | null {
  const { inner, isAwaited } = unwrap(expression);
  if (!ts.isCallExpression(inner)) return null;
  const specifier = moduleCallSpecifier(inner);
  if (specifier === null) return null;
  return { node: inner, specifier, isPromise: inner.expression.kind === ts.SyntaxKind.ImportKeyword && !isAwaited };
}

function moduleCallSpecifier(call: ts.CallExpression): string | null {
  const callee = call.expression;
  const isRequire = ts.isIdentifier(callee) && callee.text === "require";
  const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
  if (!isRequire && !isImport) return null;
  if (call.arguments.length < 1) return null;
  return stringLiteralText(call.arguments[0]);
}

function bindFromDeclaration(
  name: ts.BindingName,
  record: ImportRecord,
  namespaceLocals: Map<string, ImportRecord[]>,
): void {
  if (ts.isIdentifier(name)) {
    record.namespace = true;
    const list = namespaceLocals.get(name.text) ?? [];
    list.push(record);
    namespaceLocals.set(name.text, list);
    return;
  }
  if (ts.isObjectBindingPattern(name)) {
    for (const element of name.elements) {
      if (element.dotDotDotToken) {
        record.namespace = true;
        continue;
      }
      const key = element.propertyName ?? element.name;
      const imported = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : null;
      if (imported === null) {
        record.namespace = true;
        continue;
      }
      const local = ts.isIdentifier(element.name) ? element.name.text : imported;
      if (imported === "default") record.default = true;
      else record.names.push({ imported, local, typeOnly: false });
    }
    return;
  }
  record.namespace = true;
}

/** Second pass: `m.prop` usages of `const m = require("x")` / `await import("x")` become that import's names. */
function collectNamespaceUsages(sf: ts.SourceFile, locals: Map<string, ImportRecord[]>): void {
  const usages = new Map<string, Set<string>>();
  const offsets = wordOffsets(sf.text, [...locals.keys()]);
  const visit = (node: ts.Node, parent: ts.Node | undefined): void => {
    if (!spansOffset(offsets, node.pos, node.end)) return;
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      locals.has(node.expression.text) &&
      !(parent && ts.isBinaryExpression(parent) && parent.left === node && isAssignment(parent.operatorToken.kind))
    ) {
      const set = usages.get(node.expression.text) ?? new Set<string>();
      set.add(node.name.text);
      usages.set(node.expression.text, set);
    }
    ts.forEachChild(node, (child) => visit(child, node));
  };
  ts.forEachChild(sf, (child) => visit(child, sf));
  for (const [local, records] of locals) {
    const names = usages.get(local);
    if (!names) continue;
    for (const record of records) {
      for (const name of names) {
        if (name === "default") continue;
        record.names.push({ imported: name, local: `${local}.${name}`, typeOnly: false, isUsage: true });
      }
    }
  }
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** Sorted start offsets of every occurrence of `words` in `text` (substrings count: a superset is safe). */
function wordOffsets(text: string, words: readonly string[]): number[] {
  const offsets: number[] = [];
  for (const word of words) {
    for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + word.length)) offsets.push(i);
  }
  return offsets.sort((a, b) => a - b);
}

/** Some offset lies in [start, end). */
function spansOffset(offsets: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[mid]! < start) low = mid + 1;
    else high = mid;
  }
  return low < offsets.length && offsets[low]! < end;
}
