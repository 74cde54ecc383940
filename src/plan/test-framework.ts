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
      if (/\bnode\s+--test\b/.test(script)) return "node:test";
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
