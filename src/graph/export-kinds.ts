// Pure: what kind of thing each export of a file is, from its syntax: a value, a type, or both (a class,
// an enum). A public entry point that turns a class into an interface breaks `new` in every consumer.
import { ts } from "ts-morph";
import { scriptKindOf } from "./parse-imports.js";

export type ExportKind = "value" | "type" | "both";

const hasExport = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
const hasDefault = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);

/** Name → kind for the file's own exported declarations (re-exports are left out: their kind lives elsewhere). */
export function exportKinds(path: string, content: string): Map<string, ExportKind> {
  const kinds = new Map<string, ExportKind>();
  const scriptKind = scriptKindOf(path);
  if (scriptKind === null) return kinds;
  const sf = ts.createSourceFile(path, content, ts.ScriptTarget.Latest, false, scriptKind);
  const set = (name: string, kind: ExportKind) => {
    const before = kinds.get(name);
    kinds.set(name, before === undefined || before === kind ? kind : "both");
  };
  for (const st of sf.statements) {
    if (!hasExport(st)) continue;
    const name = (n: { name?: ts.Node | undefined }) => (hasDefault(st) ? "default" : n.name && ts.isIdentifier(n.name) ? n.name.text : undefined);
    let kind: ExportKind | null = null;
    let names: (string | undefined)[] = [];
    if (ts.isFunctionDeclaration(st)) [kind, names] = ["value", [name(st)]];
    else if (ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) [kind, names] = ["both", [name(st)]];
    else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) [kind, names] = ["type", [name(st)]];
    else if (ts.isModuleDeclaration(st)) [kind, names] = ["value", [name(st)]];
    else if (ts.isVariableStatement(st)) {
      kind = "value";
      names = st.declarationList.declarations.map((d) => (ts.isIdentifier(d.name) ? d.name.text : undefined));
    }
    if (kind === null) continue;
    for (const n of names) if (n !== undefined) set(n, kind);
  }
  return kinds;
}
