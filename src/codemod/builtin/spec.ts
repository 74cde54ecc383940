// `--codemod rename-export:src/a.ts#old=new` and `--codemod move-file:src/a.ts=src/lib/a.ts`: the built-ins are
// named by a prefix no module path has, so anything else is a path to the user's own codemod.
import { ts } from "ts-morph";
import { usageError } from "../../core/index.js";
import type { BuiltinSpec } from "./types.js";

const USAGE = {
  "rename-export": "rename-export:<file>#<oldName>=<newName>, e.g. rename-export:src/a.ts#parseDate=parseIsoDate",
  "move-file": "move-file:<from>=<to>, e.g. move-file:src/a.ts=src/lib/a.ts",
} as const;
type Kind = keyof typeof USAGE;

/** Why `name` cannot be an export's name, or null: not an identifier, or a word modules reserve (`class`, `let`). */
function nameProblem(name: string): string | null {
  const chars = [...name].map((c) => c.codePointAt(0)!);
  const isIdentifier =
    chars.length > 0 && chars.every((c, i) => (i === 0 ? ts.isIdentifierStart : ts.isIdentifierPart)(c, ts.ScriptTarget.ESNext));
  if (!isIdentifier) return `"${name}" is not an identifier`;
  const kind = ts.identifierToKeywordKind(ts.factory.createIdentifier(name));
  const reserved =
    kind !== undefined &&
    ((kind >= ts.SyntaxKind.FirstReservedWord && kind <= ts.SyntaxKind.LastReservedWord) ||
      (kind >= ts.SyntaxKind.FirstFutureReservedWord && kind <= ts.SyntaxKind.LastFutureReservedWord));
  return reserved ? `"${name}" is a reserved word` : null;
}

/** The built-in a `--codemod` value names, or null when it names a module file. Throws a usage error when malformed. */
export function parseBuiltinSpec(spec: string): BuiltinSpec | null {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? "" : spec.slice(0, colon);
  if (!Object.hasOwn(USAGE, kind)) return null;
  const body = spec.slice(colon + 1);
  const bad = (why: string) => usageError(`--codemod ${spec}: ${why}`, `expected ${USAGE[kind as Kind]}`);
  if (kind === "rename-export") {
    const match = /^([^#]+)#([^=]*)=(.*)$/.exec(body);
    if (!match) throw bad("expected <file>#<oldName>=<newName>");
    const [, rawFile, from, to] = match as unknown as [string, string, string, string];
    for (const name of [from, to]) {
      const problem = nameProblem(name);
      if (problem) throw bad(problem);
    }
    if (from === to) throw bad("the old and new names are the same");
    return { kind, file: repoPath(rawFile, bad), from, to };
  }
  const parts = body.split("=");
  if (parts.length !== 2) throw bad("expected <from>=<to>");
  const from = repoPath(parts[0]!, bad);
  const to = repoPath(parts[1]!, bad);
  if (from === to) throw bad("the file would not move");
  return { kind: "move-file", from, to };
}

/** A path as the user typed it → a repo path: forward slashes, no "./", never outside the repository. */
function repoPath(raw: string, bad: (why: string) => Error): string {
  const parts = raw.trim().replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0) throw bad("a file path is missing");
  if (raw.trim().startsWith("/") || /^[A-Za-z]:/.test(raw.trim()) || parts.includes("..")) {
    throw bad(`${raw} is not a path inside the repository (write it relative to the repository root)`);
  }
  return parts.join("/");
}
