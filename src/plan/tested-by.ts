// Which existing test already tests a source, read from what the test imports. Pure.
//
// Tests are placed by path convention (output-paths.ts), but a flat suite does not mirror the source tree:
// express-api's `test/users.test.js` requires `../src/services/users`, where the mirror convention says
// `test/services/users.test.js`. Without this the plan would add a second test beside the one that exists.
import { posix } from "node:path";
import type { RepoPath } from "../core/index.js";
import { SCRIPT, TEST_SUFFIX } from "./output-paths.js";

// Relative specifiers of `require("…")`, `import … from "…"`, `import("…")` and `export … from "…"`.
const RELATIVE_SPECIFIER = /(?:\brequire\s*\(\s*|\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"'\n]+)["']/gm;

/** `src/services/users.js` → `users`; `test/users.test.js` → `users`. */
const stemOf = (path: RepoPath): string => posix.basename(path).replace(TEST_SUFFIX, "").replace(SCRIPT, "");

/** Existing test files whose name could belong to one of `sources` (same stem): the only ones worth reading. */
export function candidateTests(sources: readonly RepoPath[], repoPaths: readonly RepoPath[]): RepoPath[] {
  const stems = new Set(sources.map(stemOf));
  return repoPaths.filter((p) => TEST_SUFFIX.test(p) && !p.includes("node_modules/") && stems.has(stemOf(p)));
}

/**
 * Source → the one existing test with the same stem that imports it. A source that two such tests import, or
 * a test that imports two same-stem sources, is left to the path convention: the pick must be unambiguous.
 */
export function testedBy(sources: readonly RepoPath[], tests: ReadonlyMap<RepoPath, string>): Map<RepoPath, RepoPath> {
  const known = new Set(sources);
  const found = new Map<RepoPath, RepoPath[]>();
  for (const [test, text] of tests) {
    const hits = new Set<RepoPath>();
    for (const match of text.matchAll(RELATIVE_SPECIFIER)) {
      const target = resolveSource(posix.join(posix.dirname(test), match[1]!), known);
      if (target !== undefined && stemOf(target) === stemOf(test)) hits.add(target);
    }
    if (hits.size !== 1) continue;
    const [source] = hits;
    found.set(source!, [...(found.get(source!) ?? []), test]);
  }
  const result = new Map<RepoPath, RepoPath>();
  for (const [source, list] of found) if (list.length === 1) result.set(source, list[0]!);
  return result;
}

/** A relative specifier → the source it names: as written, with a script extension, `.js` for `.ts`, or its index. */
function resolveSource(joined: string, known: ReadonlySet<RepoPath>): RepoPath | undefined {
  const base = posix.normalize(joined);
  const stripped = base.replace(SCRIPT, "");
  const tries = [base, ...["js", "ts", "mjs", "cjs", "jsx", "tsx", "mts", "cts"].flatMap((ext) => [`${stripped}.${ext}`, `${base}/index.${ext}`])];
  return tries.find((p) => known.has(p));
}
