import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { gitRepo, tempDir } from "../support/git-repo.js";
import { cliEnv } from "../support/run-cli.js";

// The published package on its own: what `npm pack` ships, installed with production dependencies only,
// runs. Offline: `npm ci` left every locked tarball in the npm cache. (`npm install --offline <tarball>`
// cannot work from that cache: it needs the registry's metadata to resolve ranges, which `npm ci` never
// fetches, so the locked tree is installed with `npm ci --omit=dev` inside the unpacked package instead.)
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

it("the packed tarball installs without dev dependencies and runs --version and estimate", { timeout: 180_000 }, async () => {
  const dir = tempDir("swarm-pack-");
  // --ignore-scripts: `npm test` built dist/ already, and prepack rebuilding it would race the other e2e tests.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: ROOT });
  const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const shipped = files.map((f) => f.path);
  expect(shipped).toContain("LICENSE");
  expect(shipped.filter((p) => p.endsWith(".map") || (p.endsWith(".ts") && !p.endsWith(".d.ts")))).toEqual([]);
  // A codemod author types its module with `import type { CodemodContext } from "refactor-swarm"`.
  expect(shipped).toContain("dist/index.d.ts");

  await run("tar", ["xzf", path.join(dir, filename), "-C", dir]);
  const pkg = path.join(dir, "package");
  await copyFile(path.join(ROOT, "package-lock.json"), path.join(pkg, "package-lock.json"));
  await run("npm", ["ci", "--omit=dev", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: pkg });
  const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
  for (const dev of ["vitest", "tsx", "eslint"]) expect(manifest.devDependencies[dev], dev).toBeDefined();
  for (const dev of ["vitest", "tsx", "eslint"]) expect(existsSync(path.join(pkg, "node_modules", dev)), dev).toBe(false);

  const bin = path.join(pkg, "bin", "swarm.js");
  const version = await run(process.execPath, [bin, "--version"], { env: cliEnv() });
  expect(version.stdout.trim()).toBe(manifest.version);

  const repo = await gitRepo({ "a.ts": "export const add = (a: number, b: number) => a + b;\n", "b.ts": 'import { add } from "./a";\nexport const twice = (n: number) => add(n, n);\n' });
  const estimate = await run(process.execPath, [bin, "estimate", repo.dir, "-i", "Add JSDoc", "--roles", "refactor", "--json"], { env: cliEnv({ MOONSHOT_API_KEY: undefined }) });
  expect(JSON.parse(estimate.stdout)).toMatchObject({ tasks: 2, files: 2 });
});
