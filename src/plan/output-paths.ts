// Where a task writes. Pure.
//
// Tests follow the repository's own convention, read from the paths HEAD holds:
// - "beside":  `src/a.ts` → `src/a.test.ts` (a test file next to a non-test file in the same folder);
// - "mirror":  `src/routes/users.js` → `test/routes/users.test.js` under a top-level `test/`, `tests/`,
//              `__tests__/` or `spec/` folder. A leading `src/` is dropped, because that is how such repos are
//              laid out (`test/` mirrors what is inside `src/`), unless the existing tests keep it
//              (`test/src/...`). Files outside `src/` keep their whole path (`lib/x.js` → `test/lib/x.test.js`).
// - "nested":  `src/a.js` → `src/__tests__/a.test.js` (Jest's `__tests__` folders inside the source tree).
// The layout that holds the most existing tests wins (ties: beside, mirror, nested), so one stray test
// does not override the convention of hundreds. With no `.test.`/`.spec.` file at all, a top-level test
// folder of plain scripts (mocha's `test/*.js`) still means "mirror"; with no tests at all, tests go beside.
// A mirror root whose tests mostly sit in one suite folder that mirrors no source folder (`test/unit/`,
// uptime-kuma's `test/backend-test/`) gets new tests in that folder, since that is where its runner looks.
// In a monorepo each package (a folder with a package.json) has its own convention (see testPaths).
// The infix (`.test.` or `.spec.`) is the one most existing tests use; ties and no tests give `.test.`.
// The source's extension is kept (`.js` → `.test.js`, `.tsx` → `.test.tsx`, `.mjs` → `.test.mjs`, ...).
// An existing test of the same source (any infix or extension: `index.test.tsx` for `index.ts`, at the
// conventional path or beside the source) is the output: the task updates it rather than adding a sibling.
import type { RepoPath } from "../core/index.js";

export type TestInfix = "test" | "spec";
export const MIRROR_ROOTS = ["test", "tests", "__tests__", "spec"] as const;
export type MirrorRoot = (typeof MIRROR_ROOTS)[number];

export type TestConvention =
  | { layout: "beside"; infix: TestInfix }
  | { layout: "mirror"; root: MirrorRoot; infix: TestInfix; stripSrc: boolean; suite?: string }
  | { layout: "nested"; infix: TestInfix };

// `a.test.ts`, and also a file named just `test.ts` / `spec.ts` beside the code it tests (date-fns' `src/addDays/test.ts`).
const TEST_FILE = /(?:\.|^|\/)(test|spec)\.[cm]?[jt]sx?$/;
export const SCRIPT = /\.[cm]?[jt]sx?$/;
/** `.test.ts`, `.spec.mjs`, …: a test named after its source (a bare `test.ts` is a test file, but names no source). */
export const TEST_SUFFIX = /\.(?:test|spec)\.[cm]?[jt]sx?$/;

// Tool configuration and build scripts: `vite.config.ts`, `.prettierrc.js`, `.eslintrc.cjs`, `gulpfile.js`, a top-level `build.mjs`.
const CONFIG_FILE = /(?:^|\/)(?:[^/]+\.config\.[cm]?[jt]s|\.[^/]+\.[cm]?[jt]s|(?:gulpfile|gruntfile|jakefile)\.[cm]?[jt]s)$|^(?:build|bundle)\.[cm]?[jt]s$/i;

/** Whether a path is a tool's config file or a build script (refactored, but given no test or doc). */
export const isConfigFile = (path: RepoPath): boolean => CONFIG_FILE.test(path);

/** Scripts under a top-level test folder or named as tests: the default `exclude` leaves them out of the scan. */
export const isTestScript = (path: RepoPath): boolean =>
  isTestFile(path) || (SCRIPT.test(path) && (MIRROR_ROOTS as readonly string[]).some((root) => path.startsWith(`${root}/`) || path.includes(`/${root}/`)));

/** Whether a path names a test file (`*.test.ts`, `*.spec.mjs`, ...). */
export const isTestFile = (path: RepoPath): boolean => TEST_FILE.test(path);

const dirOf = (path: RepoPath): string => path.slice(0, Math.max(0, path.lastIndexOf("/")));
const baseOf = (path: RepoPath): string => path.slice(path.lastIndexOf("/") + 1);

// Browser suites (Playwright, Cypress) run apart from the unit tests a task writes: uptime-kuma's
// `test/e2e/specs/*.spec.js` would otherwise outvote its `test/backend-test/` and take every new test.
const BROWSER_SUITE = /(?:^|\/)(?:e2e|cypress|playwright)(?:\/|$)|\.e2e\./;

/** Reads the test convention from every path at HEAD. Linear in the number of paths. */
export function detectTestConvention(paths: readonly RepoPath[]): TestConvention {
  const allPaths = paths.filter((path) => !BROWSER_SUITE.test(path));
  const dirsWithSources = new Set<string>();
  for (const path of allPaths) if (!isTestFile(path)) dirsWithSources.add(dirOf(path));

  const votes = { beside: 0, mirror: 0, nested: 0 };
  const mirrorVotes = new Map<MirrorRoot, number>();
  const infixVotes = { test: 0, spec: 0 };
  let hasSrcUnderMirror = false;
  /** Plain scripts (no `.test.` infix) per top-level test folder. */
  const infixless = new Map<MirrorRoot, number>();
  // Tests per `<root>/<folder>` (a suite candidate), named and infixless counted apart.
  const suiteVotes = new Map<string, number>();
  const infixlessSuites = new Map<string, number>();
  const suiteOf = (path: RepoPath): string | null => {
    const parts = path.split("/");
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : null;
  };
  const bump = (votes: Map<string, number>, path: RepoPath) => {
    const suite = suiteOf(path);
    if (suite !== null) votes.set(suite, (votes.get(suite) ?? 0) + 1);
  };

  for (const path of allPaths) {
    const match = TEST_FILE.exec(path);
    if (!match) {
      // Mocha-style suites (`test/app.router.js`, as in Express) name no infix; the folder is the convention.
      if (SCRIPT.test(path) && MIRROR_ROOTS.includes(path.slice(0, path.indexOf("/")) as MirrorRoot)) {
        const top = path.slice(0, path.indexOf("/")) as MirrorRoot;
        infixless.set(top, (infixless.get(top) ?? 0) + 1);
        bump(infixlessSuites, path);
      }
      continue;
    }
    infixVotes[match[1] as TestInfix] += 1;
    const top = path.slice(0, path.indexOf("/")) as MirrorRoot;
    if (path.includes("/") && MIRROR_ROOTS.includes(top)) {
      votes.mirror += 1;
      mirrorVotes.set(top, (mirrorVotes.get(top) ?? 0) + 1);
      bump(suiteVotes, path);
      if (path.startsWith(`${top}/src/`)) hasSrcUnderMirror = true;
    } else if (baseOf(dirOf(path)) === "__tests__") {
      votes.nested += 1;
    } else if (dirsWithSources.has(dirOf(path))) {
      votes.beside += 1;
    }
  }

  const infix: TestInfix = infixVotes.spec > infixVotes.test ? "spec" : "test";
  /** The suite folder of `root` holding more than half of its tests, unless a source folder has its name (then it is a mirror). */
  const suiteFor = (root: MirrorRoot, votes: ReadonlyMap<string, number>, total: number): { suite?: string } => {
    let best: [string, number] | null = null;
    for (const [suite, n] of votes) if (suite.startsWith(`${root}/`) && (best === null || n > best[1])) best = [suite, n];
    if (best === null || best[1] * 2 <= total) return {};
    const name = best[0].slice(root.length + 1);
    const mirrorsSource = [...dirsWithSources].some((d) => d === name || d.startsWith(`${name}/`) || d === `src/${name}` || d.startsWith(`src/${name}/`));
    return mirrorsSource ? {} : { suite: name };
  };
  const best = Math.max(votes.beside, votes.mirror, votes.nested);
  if (best === 0 && infixless.size > 0) {
    const root = MIRROR_ROOTS.find((r) => infixless.has(r))!;
    return { layout: "mirror", root, infix, stripSrc: true, ...suiteFor(root, infixlessSuites, infixless.get(root)!) };
  }
  if (best === 0 || votes.beside === best) return { layout: "beside", infix };
  if (votes.mirror === best) {
    // Most tests wins; ties go to the order of MIRROR_ROOTS.
    const root = MIRROR_ROOTS.reduce((a, b) => ((mirrorVotes.get(b) ?? 0) > (mirrorVotes.get(a) ?? 0) ? b : a));
    return { layout: "mirror", root, infix, stripSrc: !hasSrcUnderMirror, ...suiteFor(root, suiteVotes, mirrorVotes.get(root) ?? 0) };
  }
  return { layout: "nested", infix };
}

/** `a.ts` → `a.test.ts`; a name without an extension gets the infix appended (`Makefile.test`). */
export function withInfix(name: string, infix: TestInfix): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}.${infix}${name.slice(dot)}` : `${name}.${infix}`;
}

/**
 * The path a test task for `file` writes. Pass the convention from `detectTestConvention` when mapping
 * many files; passing `allPaths` detects it on every call.
 */
export function testOutputPath(file: RepoPath, conventionOrPaths: TestConvention | readonly RepoPath[]): RepoPath {
  const convention = Array.isArray(conventionOrPaths)
    ? detectTestConvention(conventionOrPaths)
    : (conventionOrPaths as TestConvention);
  const dir = dirOf(file);
  const name = withInfix(baseOf(file), convention.infix);
  switch (convention.layout) {
    case "beside":
      return dir ? `${dir}/${name}` : name;
    case "nested":
      return dir ? `${dir}/__tests__/${name}` : `__tests__/${name}`;
    case "mirror": {
      const mirrored = convention.stripSrc && file.startsWith("src/") ? dir.slice("src".length + 1) : dir;
      const base = convention.suite !== undefined ? `${convention.root}/${convention.suite}` : convention.root;
      return mirrored ? `${base}/${mirrored}/${name}` : `${base}/${name}`;
    }
  }
}

/**
 * Test paths for a repository whose packages (folders with a package.json) may each follow their own
 * convention: a package's tests are placed by the tests inside it, its nested packages excluded.
 */
export function testPaths(allPaths: readonly RepoPath[]): { conventionOf(file: RepoPath): TestConvention; pathOf(file: RepoPath): RepoPath } {
  const packages = allPaths
    .filter((p) => /(^|\/)package\.json$/.test(p) && !p.includes("node_modules/"))
    .map(dirOf)
    .filter((d) => d !== "")
    .sort((a, b) => b.length - a.length);
  const packageOf = (path: RepoPath) => packages.find((d) => path.startsWith(`${d}/`)) ?? "";
  const byPackage = new Map<string, RepoPath[]>();
  for (const path of allPaths) {
    const pkg = packageOf(path);
    const list = byPackage.get(pkg) ?? [];
    list.push(pkg ? path.slice(pkg.length + 1) : path);
    byPackage.set(pkg, list);
  }
  const conventions = new Map<string, TestConvention>();
  const conventionOf = (file: RepoPath): TestConvention => {
    const pkg = packageOf(file);
    let convention = conventions.get(pkg);
    if (convention === undefined) {
      convention = detectTestConvention(byPackage.get(pkg) ?? []);
      conventions.set(pkg, convention);
    }
    return convention;
  };
  const existing = existingTests(allPaths);
  return {
    conventionOf,
    pathOf(file) {
      const pkg = packageOf(file);
      const inner = testOutputPath(pkg ? file.slice(pkg.length + 1) : file, conventionOf(file));
      const wanted = pkg ? `${pkg}/${inner}` : inner;
      // An existing test of this source is updated, never doubled by a sibling with another extension.
      return existing.get(testKey(wanted)) ?? existing.get(testKey(besideTestPath(file, "test"))) ?? wanted;
    },
  };
}

/** `src/a/index.test.tsx` and `src/a/index.spec.ts` → `src/a/index`: one key for every test of one source. */
const testKey = (testPath: RepoPath): string => testPath.replace(TEST_SUFFIX, "");

/** Existing tests by key; the first in path order wins, so the pick is deterministic. */
function existingTests(allPaths: readonly RepoPath[]): Map<string, RepoPath> {
  const byKey = new Map<string, RepoPath>();
  for (const path of [...allPaths].sort()) {
    if (!TEST_SUFFIX.test(path)) continue;
    const key = testKey(path);
    if (!byKey.has(key)) byKey.set(key, path);
  }
  return byKey;
}

/** Where the beside layout would put the test; the plan's fallback when the conventional path is taken. */
export const besideTestPath = (file: RepoPath, infix: TestInfix): RepoPath =>
  testOutputPath(file, { layout: "beside", infix });

/** The path a doc task for `file` writes: `<docsDir>/<path>.md`, a mirror of the source tree outside it. */
export const docOutputPath = (file: RepoPath, docsDir = "docs/api"): RepoPath => `${docsDir.replace(/\/+$/, "")}/${file}.md`;
