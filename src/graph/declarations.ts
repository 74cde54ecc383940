// Pure: the exported API of a file as text — declarations without bodies — for agent prompts.
import { ts } from "ts-morph";
import { scriptKindOf } from "./parse-imports.js";

const MAX_TYPE_CHARS = 1200;
const MAX_VALUE_CHARS = 80;

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

function modifiersOf(node: ts.Node): ts.ModifierLike[] {
  return ts.canHaveModifiers(node) ? [...(ts.getModifiers(node) ?? [])] : [];
}

function has(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return modifiersOf(node).some((m) => m.kind === kind);
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function clipBlock(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n  /* … */\n}`;
}

/**
 * Exported declarations of a JS/TS file, bodies removed: function and method signatures, public class
 * members, interfaces and types (clipped when long), consts with their type or the kind of value.
 * CommonJS files list what `module.exports` gets. Empty string when the file exports nothing we can see.
 */
export function exportedDeclarations(path: string, content: string): string {
  const kind = scriptKindOf(path);
  if (kind === null) return "";
  // JSDoc is not parsed: the printer drops comments anyway, and skipping it made the parse ~30% cheaper on
  // JSDoc-heavy code (openai, zod sources) with the same text for 5,841 files (issue 16: every prompt's context).
  const sf = ts.createSourceFile(path, content, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, kind);
  const out: string[] = [];
  let hasEsm = false;
  for (const statement of sf.statements) {
    const text = esmStatement(statement, sf);
    if (text === null) continue;
    hasEsm = true;
    if (text !== "") out.push(text);
  }
  if (!hasEsm) out.push(...commonJsExports(sf));
  return out.join("\n");
}

function print(node: ts.Node, sf: ts.SourceFile): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, sf);
}

/** One export statement as signature text; null when the statement exports nothing. */
function esmStatement(statement: ts.Statement, sf: ts.SourceFile): string | null {
  if (ts.isExportDeclaration(statement)) return clip(statement.getText(sf), 300);
  if (ts.isExportAssignment(statement)) {
    const expression = statement.expression;
    const head = statement.isExportEquals ? "export =" : "export default";
    return `${head} ${valueSummary(expression, sf)};`;
  }
  if (!has(statement, ts.SyntaxKind.ExportKeyword)) return null;

  if (ts.isFunctionDeclaration(statement)) {
    // An implementation after overloads repeats them in a weaker form.
    if (statement.body && statement.name && hasOverloads(statement, sf)) return "";
    const bodiless = ts.factory.updateFunctionDeclaration(
      statement,
      modifiersOf(statement).filter((m) => m.kind !== ts.SyntaxKind.Decorator) as ts.Modifier[],
      statement.asteriskToken,
      statement.name,
      statement.typeParameters,
      statement.parameters,
      statement.type,
      undefined,
    );
    return print(bodiless, sf);
  }
  if (ts.isClassDeclaration(statement)) return classSignature(statement, sf);
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) {
    return clipBlock(print(statement, sf), MAX_TYPE_CHARS);
  }
  if (ts.isModuleDeclaration(statement)) return `export namespace ${statement.name.getText(sf)} { /* … */ }`;
  if (ts.isVariableStatement(statement)) {
    const keyword = statement.declarationList.flags & ts.NodeFlags.Const ? "const" : "let";
    return statement.declarationList.declarations
      .map((d) => `export ${keyword} ${variableSignature(d, sf)};`)
      .join("\n");
  }
  return clip(statement.getText(sf), 300);
}

function hasOverloads(fn: ts.FunctionDeclaration, sf: ts.SourceFile): boolean {
  const name = fn.name!.text;
  return sf.statements.some((s) => s !== fn && ts.isFunctionDeclaration(s) && !s.body && s.name?.text === name);
}

function variableSignature(declaration: ts.VariableDeclaration, sf: ts.SourceFile): string {
  const name = declaration.name.getText(sf);
  if (declaration.type) return `${name}: ${clip(declaration.type.getText(sf), MAX_TYPE_CHARS)}`;
  const init = declaration.initializer;
  return init ? `${name} = ${valueSummary(init, sf)}` : name;
}

function parametersText(parameters: readonly ts.ParameterDeclaration[], sf: ts.SourceFile): string {
  return parameters.map((p) => clip(p.getText(sf), 200)).join(", ");
}

/** What a value is, without its body: `(a: string): number => …`, `{ a, b }`, `"literal"`, `new Foo(…)`. */
function valueSummary(expression: ts.Expression, sf: ts.SourceFile): string {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
    node = node.expression;
  }
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const asyncText = has(node, ts.SyntaxKind.AsyncKeyword) ? "async " : "";
    const returns = node.type ? `: ${clip(node.type.getText(sf), 200)}` : "";
    const typeParams = node.typeParameters ? `<${node.typeParameters.map((t) => t.getText(sf)).join(", ")}>` : "";
    if (ts.isFunctionExpression(node)) {
      return `${asyncText}function${node.name ? ` ${node.name.text}` : ""}${typeParams}(${parametersText(node.parameters, sf)})${returns} { … }`;
    }
    return `${asyncText}${typeParams}(${parametersText(node.parameters, sf)})${returns} => …`;
  }
  if (ts.isClassExpression(node)) return "class { … }";
  if (ts.isObjectLiteralExpression(node)) return `{ ${objectEntries(node, sf, new Map()).join(", ")} }`;
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const prefix = ts.isNewExpression(node) ? "new " : "";
    return `${prefix}${clip(node.expression.getText(sf), 60)}(…)`;
  }
  return clip(node.getText(sf), MAX_VALUE_CHARS);
}

/** Keys of an object literal; functions (inline, or named local functions) with their parameters. */
function objectEntries(
  node: ts.ObjectLiteralExpression,
  sf: ts.SourceFile,
  functions: ReadonlyMap<string, ts.FunctionDeclaration>,
): string[] {
  return node.properties.map((p) => {
    if (ts.isSpreadAssignment(p)) return `...${clip(p.expression.getText(sf), 40)}`;
    if (ts.isMethodDeclaration(p)) return `${p.name.getText(sf)}(${parametersText(p.parameters, sf)})`;
    if (ts.isPropertyAssignment(p) && (ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer))) {
      return `${p.name.getText(sf)}(${parametersText(p.initializer.parameters, sf)})`;
    }
    const local = ts.isShorthandPropertyAssignment(p)
      ? p.name.text
      : ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)
        ? p.initializer.text
        : null;
    const fn = local !== null ? functions.get(local) : undefined;
    if (fn && p.name) return `${p.name.getText(sf)}(${parametersText(fn.parameters, sf)})`;
    return p.name ? p.name.getText(sf) : "…";
  });
}

function isPublicMember(member: ts.ClassElement): boolean {
  if (has(member, ts.SyntaxKind.PrivateKeyword)) return false;
  if (member.name && ts.isPrivateIdentifier(member.name)) return false;
  return true;
}

function classSignature(node: ts.ClassDeclaration, sf: ts.SourceFile): string {
  const f = ts.factory;
  const members: ts.ClassElement[] = [];
  for (const member of node.members) {
    if (!isPublicMember(member)) continue;
    if (ts.isConstructorDeclaration(member)) {
      members.push(f.updateConstructorDeclaration(member, member.modifiers, member.parameters, undefined));
    } else if (ts.isMethodDeclaration(member)) {
      members.push(
        f.updateMethodDeclaration(member, member.modifiers, member.asteriskToken, member.name, member.questionToken,
          member.typeParameters, member.parameters, member.type, undefined),
      );
    } else if (ts.isPropertyDeclaration(member)) {
      members.push(f.updatePropertyDeclaration(member, member.modifiers, member.name,
        member.questionToken ?? member.exclamationToken, member.type, undefined));
    } else if (ts.isGetAccessorDeclaration(member)) {
      members.push(f.updateGetAccessorDeclaration(member, member.modifiers, member.name, member.parameters, member.type, undefined));
    } else if (ts.isSetAccessorDeclaration(member)) {
      members.push(f.updateSetAccessorDeclaration(member, member.modifiers, member.name, member.parameters, undefined));
    } else if (ts.isIndexSignatureDeclaration(member)) {
      members.push(member);
    }
  }
  const modifiers = modifiersOf(node).filter((m) => m.kind !== ts.SyntaxKind.Decorator) as ts.Modifier[];
  const bodiless = f.updateClassDeclaration(node, modifiers, node.name, node.typeParameters, node.heritageClauses, members);
  return clipBlock(print(bodiless, sf), MAX_TYPE_CHARS * 2);
}

/** `module.exports = { a, b }`, `exports.x = function (a, b)`: one line per exported thing. */
function commonJsExports(sf: ts.SourceFile): string[] {
  const lines: string[] = [];
  const functions = new Map<string, ts.FunctionDeclaration>();
  for (const statement of sf.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) functions.set(statement.name.text, statement);
  }
  const describeValue = (value: ts.Expression): string => {
    if (ts.isIdentifier(value) && functions.has(value.text)) {
      const fn = functions.get(value.text)!;
      return `function ${value.text}(${parametersText(fn.parameters, sf)})`;
    }
    if (ts.isObjectLiteralExpression(value)) return `{ ${objectEntries(value, sf, functions).join(", ")} }`;
    return valueSummary(value, sf);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = node.left.getText(sf);
      if (/^(module\.)?exports(\.[\w$]+|\[["'][^"']+["']\])?$/.test(left) && left !== "exports") {
        lines.push(`${left} = ${describeValue(node.right)};`);
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  if (sf.text.includes("exports")) ts.forEachChild(sf, visit);
  return lines;
}
