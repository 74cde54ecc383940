// Loading a user's codemod module, once per run. It is user code: it is only ever loaded from the spec the user
// named (flag or config), never found in the repository or taken from a model's answer.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ts } from "ts-morph";
import { SwarmError, SwarmErrorCode } from "../core/index.js";
import { parseBuiltinSpec, type BuiltinSpec } from "./builtin/index.js";
import type { CodemodFunction } from "./types.js";

export type LoadedCodemod = { kind: "user"; spec: string; run: CodemodFunction } | { kind: "builtin"; spec: string; builtin: BuiltinSpec };

const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** A built-in spec (`rename-export:…`, `move-file:…`), else a .ts/.js/.mjs module (a relative path is the repository's). */
export async function loadCodemod(spec: string, repo: string): Promise<LoadedCodemod> {
  const builtin = parseBuiltinSpec(spec);
  if (builtin) return { kind: "builtin", spec, builtin };
  const file = await findModule(spec, repo);
  const url = file.endsWith(".ts") || file.endsWith(".mts") ? await transpiled(file) : pathToFileURL(file).href;
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw loadError(`codemod ${spec} did not load: ${(error as Error).message?.split("\n")[0] ?? String(error)}`, error);
  }
  if (typeof module.default !== "function") throw loadError(`codemod ${spec} has no default export function (file, ctx) => void`);
  return { kind: "user", spec, run: module.default as CodemodFunction };
}

async function findModule(spec: string, repo: string): Promise<string> {
  if (!MODULE_EXTENSIONS.includes(path.extname(spec))) {
    throw loadError(`--codemod ${spec}: expected a .ts, .mts, .js or .mjs module, or rename-export:<file>#<old>=<new>, or move-file:<from>=<to>`);
  }
  const file = path.resolve(repo, spec);
  if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  throw loadError(`codemod not found: ${file}`);
}

/**
 * Node 20 does not run TypeScript: the module is transpiled on its own (types erased, no type check) into an .mjs
 * in the temp folder, never beside the user's file. Its relative imports and packages are pointed back at where
 * they resolve from the original file.
 */
async function transpiled(file: string): Promise<string> {
  const source = await readFile(file, "utf8");
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, sourceMap: true },
  });
  // The map points back at the user's file: a throw's first frame (the report shows it) names their file and line.
  const map = { ...(JSON.parse(out.sourceMapText ?? "{}") as object), sources: [file], sourceRoot: undefined };
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  const text = `${withResolvedImports(code, file)}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
  process.setSourceMapsEnabled(true);
  const dir = path.join(os.tmpdir(), "swarm-codemods");
  await mkdir(dir, { recursive: true });
  const hash = createHash("sha256").update(file).update(text).digest("hex").slice(0, 16);
  const target = path.join(dir, `${path.basename(file).replace(/\.m?ts$/, "")}-${hash}.mjs`);
  await writeFile(target, text);
  return pathToFileURL(target).href;
}

/**
 * The module's own import and export declarations and import() calls, pointed at what they resolve to from `file`.
 * Found in the syntax tree, not by a text search: import lines a codemod writes into its strings are its output.
 */
function withResolvedImports(code: string, file: string): string {
  const tree = ts.createSourceFile("codemod.mjs", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    const specifier =
      ts.isImportDeclaration(node) || ts.isExportDeclaration(node)
        ? node.moduleSpecifier
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
          ? node.arguments[0]
          : undefined;
    const target = specifier && ts.isStringLiteralLike(specifier) ? resolveFrom(file, specifier.text) : null;
    if (specifier && target !== null) edits.push({ start: specifier.getStart(tree), end: specifier.getEnd(), text: JSON.stringify(target) });
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return edits.reduceRight((text, e) => text.slice(0, e.start) + e.text + text.slice(e.end), code);
}

/** A relative specifier as a file URL next to the original; a package as node would resolve it from there; else null. */
function resolveFrom(file: string, specifier: string): string | null {
  if (specifier.startsWith("node:") || specifier.startsWith("file:")) return null;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    const resolved = path.resolve(path.dirname(file), specifier);
    return pathToFileURL(resolved.replace(/\.ts$/, ".js")).href;
  }
  // The codemod's own packages first, then this tool's (a codemod importing ts-morph gets the one swarm runs on).
  for (const from of [file, fileURLToPath(import.meta.url)]) {
    try {
      return pathToFileURL(createRequire(from).resolve(specifier)).href;
    } catch {
      // not resolvable from there
    }
  }
  return null;
}

const loadError = (message: string, cause?: unknown) =>
  new SwarmError(SwarmErrorCode.CodemodLoad, message, { hint: "a codemod module's default export is (file: SourceFile, ctx) => void | Promise<void>; see README, Codemods", ...(cause === undefined ? {} : { cause }) });
