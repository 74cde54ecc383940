// Pure: problems no compiler reports but that make a branch untrustworthy.
// - a package entry point (package.json main/module/types/bin/exports) lost an exported name or changed its kind;
// - an answer silenced a gate instead of fixing it (@ts-ignore, `as any`, eslint-disable, .skip/.only);
// - a test no longer imports the module it tests, or lost more than half of its test cases.
import type { RepoPath } from "../core/index.js";
import { exportKinds, type ImportGraph, isParsablePath } from "../graph/index.js";
import type { ImportProblem } from "./types.js";

const GUARD_CODES = {
  publicApi: "public-api",
  suppression: "gate-suppressed",
  testCasesLost: "test-cases-lost",
  testImportLost: "test-import-lost",
} as const;

const isVendored = (p: RepoPath) => p.startsWith("node_modules/") || p.includes("/node_modules/");
const dirOf = (p: RepoPath) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const join = (dir: string, rel: string) => {
  const parts = (dir === "" ? [] : dir.split("/"));
  for (const seg of rel.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.join("/");
};

function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

/** Source files behind a built path: `./dist/index.js` is `src/index.ts` in the repository. */
function sourceCandidates(path: RepoPath): RepoPath[] {
  const stems = new Set([path]);
  for (const out of ["dist/", "lib/", "build/", "out/"]) {
    const at = path.indexOf(out);
    if (at === 0 || path[at - 1] === "/") stems.add(`${path.slice(0, at)}src/${path.slice(at + out.length)}`);
  }
  const candidates: RepoPath[] = [];
  for (const stem of stems) {
    candidates.push(stem);
    const base = stem.replace(/\.d\.[cm]?ts$/, "").replace(/\.[cm]?jsx?$/, "");
    for (const ext of [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"]) candidates.push(base + ext);
    candidates.push(`${base}/index.ts`, `${base}/index.js`);
  }
  return candidates;
}

/** Every file a package.json of the repository exposes to its consumers. */
export function publicEntryPoints(files: ReadonlyMap<RepoPath, string>): Set<RepoPath> {
  const entries = new Set<RepoPath>();
  for (const [path, text] of files) {
    if (!/(^|\/)package\.json$/.test(path) || isVendored(path)) continue;
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const targets = stringLeaves([pkg.main, pkg.module, pkg.types, pkg.typings, pkg.bin, pkg.exports].filter((v) => v !== undefined));
    for (const target of targets) {
      if (target.includes("*") || !target.startsWith(".") && target.includes(":")) continue;
      const found = sourceCandidates(join(dirOf(path), target)).find((c) => files.has(c) && isParsablePath(c));
      if (found !== undefined) entries.add(found);
    }
  }
  return entries;
}

/** Every name a file exports, through `export *` chains. */
function exportedNames(graph: ImportGraph, path: RepoPath, visiting = new Set<RepoPath>()): Set<string> {
  const names = new Set<string>();
  if (visiting.has(path)) return names;
  visiting.add(path);
  const node = graph.files.get(path);
  if (!node) return names;
  for (const n of node.exports.names) names.add(n);
  for (const n of node.exports.cjsNames) names.add(n);
  if (node.exports.hasDefault) names.add("default");
  for (const target of node.starTargets) {
    if (target.kind !== "file") continue;
    for (const n of exportedNames(graph, target.path, visiting)) if (n !== "default") names.add(n);
  }
  return names;
}

/**
 * Entry points whose exported names shrank or changed kind. Only changed files and entry points that
 * re-export a changed file can differ; the problem sits on the entry point, its target on the changed file.
 */
export function publicApiProblems(input: {
  before: ImportGraph;
  after: ImportGraph;
  filesBefore: ReadonlyMap<RepoPath, string>;
  filesAfter: ReadonlyMap<RepoPath, string>;
  entries: ReadonlySet<RepoPath>;
  changed: ReadonlySet<RepoPath>;
}): ImportProblem[] {
  const problems: ImportProblem[] = [];
  for (const entry of [...input.entries].sort()) {
    if (!input.before.files.has(entry) || input.before.files.get(entry)!.exports.isOpaque) continue;
    const had = exportedNames(input.before, entry);
    const has = input.after.files.has(entry) ? exportedNames(input.after, entry) : new Set<string>();
    for (const name of [...had].sort()) {
      if (has.has(name)) continue;
      const target = [...input.changed].find((c) => exportedNames(input.before, c).has(name) && !exportedNames(input.after, c).has(name));
      const problem: ImportProblem = {
        file: entry,
        code: GUARD_CODES.publicApi,
        message: `public entry point ${entry} no longer exports "${name}" (validate.publicApi is "keep")`,
        name,
      };
      if (target !== undefined && target !== entry) problem.target = target;
      problems.push(problem);
    }
    if (!input.changed.has(entry)) continue;
    const kindsBefore = exportKinds(entry, input.filesBefore.get(entry) ?? "");
    const kindsAfter = exportKinds(entry, input.filesAfter.get(entry) ?? "");
    for (const [name, kind] of kindsBefore) {
      const now = kindsAfter.get(name);
      if (now === undefined || now === kind || !has.has(name)) continue;
      problems.push({
        file: entry,
        code: GUARD_CODES.publicApi,
        message: `public entry point ${entry} changed the kind of export "${name}" from ${kind} to ${now} (validate.publicApi is "keep")`,
        name,
      });
    }
  }
  return problems;
}

const SUPPRESSIONS: { pattern: RegExp; what: string; tests?: boolean }[] = [
  { pattern: /@ts-(?:ignore|expect-error|nocheck)\b/g, what: "a TypeScript suppression comment" },
  { pattern: /\bas\s+any\b/g, what: "`as any`" },
  { pattern: /:\s*any\b(?!\w)/g, what: "an `any` annotation" },
  { pattern: /eslint-disable/g, what: "an eslint-disable comment" },
  { pattern: /\b(?:it|test|describe|suite)\s*\.\s*(?:skip|only|todo)\b/g, what: "a skipped or focused test", tests: true },
  { pattern: /\b(?:xit|xdescribe|xtest|fit|fdescribe)\s*\(/g, what: "a skipped or focused test", tests: true },
];

const TEST_CASE = /\b(?:it|test)(?:\s*\.\s*(?:each\s*(?:\([^)]*\)|`[^`]*`)))?\s*\(\s*["'`]/g;

/** How many test cases a file declares (`it("…"`, `test("…"`, `it.each(…)("…"`). */
export function countTestCases(text: string): number {
  return (text.match(TEST_CASE) ?? []).length;
}

/** Lines of `after` that `before` does not have (as multisets), with their 1-based numbers. */
function addedLines(before: string, after: string): { line: number; text: string }[] {
  const budget = new Map<string, number>();
  for (const l of before.split("\n")) budget.set(l.trim(), (budget.get(l.trim()) ?? 0) + 1);
  const out: { line: number; text: string }[] = [];
  after.split("\n").forEach((l, i) => {
    const key = l.trim();
    const left = budget.get(key) ?? 0;
    if (left > 0) budget.set(key, left - 1);
    else out.push({ line: i + 1, text: l });
  });
  return out;
}

export const isTestPath = (p: RepoPath) => /(^|\/)(__tests__|tests?)\//.test(p) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(p);

/**
 * Ways an answer can satisfy a gate without fixing anything, on the lines it added: suppression
 * comments, `any`, eslint-disable, skipped or focused tests; and test cases it deleted (more than half
 * of a test file's, or any at all when `strictTests`, as for a repair).
 */
export function suppressionProblems(file: RepoPath, before: string, after: string, options: { strictTests?: boolean } = {}): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const isTest = isTestPath(file);
  for (const added of addedLines(before, after)) {
    for (const rule of SUPPRESSIONS) {
      if (rule.tests === true && !isTest) continue;
      rule.pattern.lastIndex = 0;
      if (!rule.pattern.test(added.text)) continue;
      problems.push({ file, line: added.line, code: GUARD_CODES.suppression, message: `the answer adds ${rule.what} instead of a fix: ${added.text.trim().slice(0, 120)}` });
      break;
    }
  }
  if (isTest) {
    const had = countTestCases(before);
    const has = countTestCases(after);
    const lost = options.strictTests === true ? has < had : had > 0 && has < had / 2;
    if (lost) problems.push({ file, code: GUARD_CODES.testCasesLost, message: `the test file went from ${had} test cases to ${has}` });
  }
  return problems;
}

/** A test task's output must import the module it tests (`source`), directly or through an index. */
export function testImportProblem(graph: ImportGraph, test: RepoPath, source: RepoPath): ImportProblem | null {
  const node = graph.files.get(test);
  if (!node || node.syntaxError) return null;
  const reaches = node.imports.some((i) => i.resolution.kind === "file" && (i.resolution.path === source || graph.dependenciesOf(i.resolution.path).includes(source)));
  if (reaches) return null;
  return { file: test, code: GUARD_CODES.testImportLost, message: `the test does not import ${source}, the module it tests`, target: source };
}
