/**
 * The test framework a repo already uses, so test agents write tests that run there.
 * Read from package.json dependencies first, then from what existing tests import.
 */
export function detectTestFramework(packageJson: string | undefined, existingTests: readonly string[] = []): string | undefined {
  const known = ["vitest", "jest", "mocha", "ava", "tap", "jasmine", "uvu"];
  if (packageJson) {
    try {
      const pkg = JSON.parse(packageJson) as Record<string, Record<string, string> | undefined>;
      const deps = { ...pkg.dependencies, ...pkg.devDependencies };
      const found = known.find((name) => name in deps);
      if (found) return found;
      const script = (pkg.scripts as Record<string, string> | undefined)?.test ?? "";
      if (/\bnode\s+(?:[^|&;]*\s)?--test\b/.test(script)) return "node:test";
      const inScript = known.find((name) => new RegExp(`\\b${name}\\b`).test(script));
      if (inScript) return inScript;
    } catch {
      // A broken package.json is the repo's own business; fall through to the tests.
    }
  }
  for (const text of existingTests) {
    if (/from\s+["']node:test["']|require\(\s*["']node:test["']\s*\)/.test(text)) return "node:test";
    const m = /from\s+["'](vitest|@jest\/globals|mocha|ava|tap|uvu)["']/.exec(text);
    if (m) return m[1] === "@jest/globals" ? "jest" : m[1];
  }
  return undefined;
}

const TEST_PATH = /(^|\/)(__tests__|tests?|spec)\/|\.(test|spec)\.[cm]?[jt]sx?$/;
const memo = new WeakMap<ReadonlyMap<string, string>, Map<string, string | undefined>>();

/**
 * The test framework of the package that holds `file` in a monorepo: its nearest package.json and the
 * tests under that package, then the workspace root's package.json (a root devDependency on vitest
 * serves every package).
 */
export function testFrameworkFor(files: ReadonlyMap<string, string>, file: string): string | undefined {
  let byDir = memo.get(files);
  if (!byDir) memo.set(files, (byDir = new Map()));
  let dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  const dirs: string[] = [];
  for (;;) {
    dirs.push(dir);
    if (dir === "") break;
    dir = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
  }
  const packageDirs = dirs.filter((d) => files.has(d === "" ? "package.json" : `${d}/package.json`));
  for (const pkgDir of packageDirs) {
    if (byDir.has(pkgDir)) {
      const hit = byDir.get(pkgDir);
      if (hit !== undefined) return hit;
      continue;
    }
    const prefix = pkgDir === "" ? "" : `${pkgDir}/`;
    const tests: string[] = [];
    for (const [path, text] of files) {
      if (tests.length >= 50) break;
      if (path.startsWith(prefix) && !path.includes("node_modules/") && TEST_PATH.test(path)) tests.push(text);
    }
    const found = detectTestFramework(files.get(`${prefix}package.json`), tests);
    byDir.set(pkgDir, found);
    if (found !== undefined) return found;
  }
  return undefined;
}
