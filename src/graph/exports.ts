// Pure: what a parsed file exports, ESM and CommonJS alike (best effort for CommonJS, honest about what it cannot see).
import { ts } from "ts-morph";
import type { ExportInfo } from "./types.js";

export function emptyExports(): ExportInfo {
  return {
    names: new Set(),
    hasDefault: false,
    star: [],
    commonjs: false,
    cjsNames: new Set(),
    isOpaque: false,
    isEsm: false,
  };
}

/** Exports of a file whose contents we do not parse (JSON, CSS, ...): anything may be imported from it. */
export function opaqueExports(): ExportInfo {
  return { ...emptyExports(), hasDefault: true, isOpaque: true };
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return modifiers?.some((m) => m.kind === kind) ?? false;
}

function addBindingNames(name: ts.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) {
    into.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (ts.isBindingElement(element)) addBindingNames(element.name, into);
  }
}

/** Exports of a parsed file: ESM statements, then a walk for CommonJS assignments. */
export function collectExports(sf: ts.SourceFile): ExportInfo {
  const { info, hasExportEquals } = collectEsmExports(sf);
  const collector = createCommonJsCollector(info);
  if (needsCommonJsWalk(sf.text)) ts.forEachChild(sf, function visit(node): void {
    collector.visit(node);
    ts.forEachChild(node, visit);
  });
  return finishExports(info, hasExportEquals || collector.found());
}

export function needsCommonJsWalk(text: string): boolean {
  return text.includes("exports");
}

/** Sets `commonjs` once both statement-level and walked evidence is in. */
export function finishExports(info: ExportInfo, hasCjs: boolean): ExportInfo {
  info.commonjs = hasCjs && !info.isEsm;
  return info;
}

/** The ESM half: export statements and modifiers at the top level. */
export function collectEsmExports(sf: ts.SourceFile): { info: ExportInfo; hasExportEquals: boolean } {
  const info = emptyExports();
  let hasCjs = false;

  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) {
      // `import x = require()` is TypeScript's CommonJS form; it does not make the file ESM by itself.
      if (ts.isImportDeclaration(statement)) info.isEsm = true;
      // `export import A = N.B` (TypeScript) exports `A`.
      else if (hasModifier(statement, ts.SyntaxKind.ExportKeyword)) info.names.add(statement.name.text);
      continue;
    }
    if (ts.isExportDeclaration(statement)) {
      info.isEsm = true;
      const clause = statement.exportClause;
      const specifier =
        statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
      if (!clause) {
        if (specifier !== null) info.star.push(specifier);
      } else if (ts.isNamespaceExport(clause)) {
        info.names.add(clause.name.text);
      } else {
        for (const element of clause.elements) {
          const exported = element.name.text;
          if (exported === "default") info.hasDefault = true;
          else info.names.add(exported);
        }
      }
      continue;
    }
    if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals) {
        // `export =`: a CommonJS module as TypeScript declares it; its members are whatever the value has.
        hasCjs = true;
        info.isOpaque = true;
        info.hasDefault = true;
      } else {
        info.isEsm = true;
        info.hasDefault = true;
      }
      continue;
    }
    if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
    info.isEsm = true;
    if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) {
      info.hasDefault = true;
      continue;
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) addBindingNames(declaration.name, info.names);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement) ||
        ts.isModuleDeclaration(statement)) &&
      statement.name &&
      (ts.isIdentifier(statement.name) || ts.isStringLiteral(statement.name))
    ) {
      info.names.add(statement.name.text);
    }
  }

  return { info, hasExportEquals: hasCjs };
}

/** `module.exports` or `exports` as an expression. */
function isExportsObject(node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return node.text === "exports";
  return (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === "module" &&
    node.name.text === "exports"
  );
}

function isModuleExports(node: ts.Node): boolean {
  return isExportsObject(node) && !ts.isIdentifier(node);
}

/**
 * A visitor for CommonJS export assignments, to run over every node of the file (the caller walks, so
 * one traversal serves this and the require() collector).
 */
export function createCommonJsCollector(info: ExportInfo): { visit: (node: ts.Node) => void; found: () => boolean } {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = node.left;
      if (isModuleExports(left)) {
        found = true;
        assignWhole(node.right, info);
      } else if (ts.isPropertyAccessExpression(left) && isExportsObject(left.expression)) {
        found = true;
        info.cjsNames.add(left.name.text);
      } else if (ts.isElementAccessExpression(left) && isExportsObject(left.expression)) {
        found = true;
        const key = left.argumentExpression;
        if (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key)) info.cjsNames.add(key.text);
        else info.isOpaque = true;
      }
    } else if (ts.isCallExpression(node) && isObjectCall(node, "defineProperty") && node.arguments.length >= 2) {
      const [target, key] = node.arguments;
      if (target && isExportsObject(target)) {
        found = true;
        if (key && ts.isStringLiteral(key)) info.cjsNames.add(key.text);
        else info.isOpaque = true;
      }
    } else if (ts.isCallExpression(node) && isObjectCall(node, "assign") && node.arguments.length >= 2) {
      const [target, ...sources] = node.arguments;
      if (target && isExportsObject(target)) {
        found = true;
        for (const source of sources) addObjectLiteral(source, info);
      }
    } else if (ts.isCallExpression(node) && node.arguments.some(isExportsObject)) {
      // `exports` handed to a helper (`__exportStar(require("x"), exports)`, UMD wrappers): names we cannot list.
      found = true;
      info.isOpaque = true;
    }
  };
  return { visit, found: () => found };
}

function isObjectCall(call: ts.CallExpression, method: string): boolean {
  const callee = call.expression;
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === "Object" &&
    callee.name.text === method
  );
}

function assignWhole(value: ts.Expression, info: ExportInfo): void {
  let inner = value;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  if (ts.isObjectLiteralExpression(inner)) {
    addObjectLiteral(inner, info);
    return;
  }
  if (
    ts.isCallExpression(inner) &&
    ts.isIdentifier(inner.expression) &&
    inner.expression.text === "require" &&
    inner.arguments[0] &&
    ts.isStringLiteral(inner.arguments[0])
  ) {
    info.star.push(inner.arguments[0].text);
    return;
  }
  // A function, class or variable: callable or opaque, and `import x from` gets the whole value.
  info.hasDefault = true;
  info.isOpaque = true;
}

function addObjectLiteral(node: ts.Expression, info: ExportInfo): void {
  if (!ts.isObjectLiteralExpression(node)) {
    info.isOpaque = true;
    return;
  }
  for (const property of node.properties) {
    if (ts.isSpreadAssignment(property)) {
      info.isOpaque = true;
      continue;
    }
    const name = property.name;
    if (!name) continue;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) info.cjsNames.add(name.text);
    else info.isOpaque = true;
  }
}
