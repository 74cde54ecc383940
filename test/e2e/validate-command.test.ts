import { appendFile, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { runCli } from "../support/run-cli.js";

// `swarm validate` on temp git copies of the fixtures: the real binary (npm run build first), real git.

async function edit(repo: TempRepo, file: string, from: string | RegExp, to: string): Promise<void> {
  const absolute = path.join(repo.dir, file);
  const before = await readFile(absolute, "utf8");
  const after = before.replace(from, to);
  expect(after, `edit of ${file} changed nothing`).not.toBe(before);
  await writeFile(absolute, after);
}

/** Runs validate and checks it left the repo exactly as it found it. */
async function validate(repo: TempRepo, ...args: string[]) {
  const before = await repo.snapshot();
  const result = await runCli(["validate", repo.dir, ...args]);
  expect(await repo.snapshot()).toEqual(before);
  return result;
}

/** One temp copy per fixture, put back to HEAD before each test (a test that commits makes its own). */
function sharedRepo(fixture: "express-api" | "ts-lib"): () => TempRepo {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await gitRepo(fixture);
  });
  beforeEach(async () => {
    await repo.git("checkout", "--quiet", "--", ".");
    await repo.git("clean", "-fdq");
  });
  afterAll(() => repo.cleanup());
  return () => repo;
}

interface JsonOutcome {
  head: string;
  changed: string[];
  problems: { file: string; line: number; code: string; message: string; target?: string }[];
}

describe("swarm validate on express-api (CommonJS)", () => {
  const shared = sharedRepo("express-api");
  it("a clean working tree: exit 0", async () => {
    const repo = shared();
    const result = await validate(repo);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^no changes against HEAD [0-9a-f]{12}\n$/);
    expect(result.code).toBe(0);
  });

  it("a harmless edit: exit 0", async () => {
    const repo = shared();
    await edit(repo, "src/middleware/auth.js", "module.exports = {", "// reviewed\nmodule.exports = {");
    const result = await validate(repo);
    expect(result.stdout).toMatch(/^no new problems: 1 changed file and their importers checked against HEAD [0-9a-f]{12}\n$/);
    expect(result.code).toBe(0);
  });

  it("a renamed CommonJS export: exit 1, naming every importer and line", async () => {
    const repo = shared();
    // routes/orders.js requires the module whole and uses only `auth.requireAuth`: not affected.
    await edit(repo, "src/middleware/auth.js", "requireRole, requireSelfOrAdmin }", "requireRoles, requireSelfOrAdmin }");
    const result = await validate(repo);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      `src/routes/products.js:5: "../middleware/auth" has no export named "requireRole" (missing-export)`,
      `src/routes/users.js:5: "../middleware/auth" has no export named "requireRole" (missing-export)`,
      expect.stringMatching(/^2 new problems in 2 files \(1 changed file, against HEAD [0-9a-f]{12}\)$/),
      "",
    ]);
  });

  it("a wrong require path and a deleted file", async () => {
    const repo = shared();
    await edit(repo, "src/app.js", "require('./routes')", "require('./route')");
    await rm(path.join(repo.dir, "src/utils/paginate.js"));
    const result = await validate(repo, "--json");
    expect(result.code).toBe(1);
    const outcome = JSON.parse(result.stdout) as JsonOutcome;
    expect(outcome.changed).toEqual(["src/app.js", "src/utils/paginate.js"]);
    expect(outcome.head).toMatch(/^[0-9a-f]{40}$/);
    const app = outcome.problems.filter((p) => p.file === "src/app.js");
    expect(app).toEqual([expect.objectContaining({ line: 6, code: "unresolved-import", message: `Cannot resolve "./route" (no such file)` })]);
    const orphans = outcome.problems.filter((p) => p.file !== "src/app.js");
    expect(orphans.length).toBeGreaterThan(0);
    for (const p of orphans) expect(p).toMatchObject({ code: "unresolved-import", message: expect.stringContaining("paginate") });
  });

  it("an untracked file requiring a package that is not a dependency", async () => {
    const repo = shared();
    await writeFile(path.join(repo.dir, "src/extra.js"), `'use strict';\n\nconst _ = require('lodash');\nmodule.exports = _;\n`);
    const result = await validate(repo);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`src/extra.js:3: Package "lodash" is not in package.json dependencies (unknown-package)`);
  });
});

describe("swarm validate on ts-lib (TypeScript, NodeNext)", () => {
  const shared = sharedRepo("ts-lib");
  it("a clean working tree: exit 0", async () => {
    const repo = shared();
    const result = await validate(repo, "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ changed: [], problems: [] });
  });

  it("a hand edit that breaks imports: exit 1 with file and line", async () => {
    const repo = shared();
    await edit(repo, "src/duration.ts", "export function toMs(", "export function toMilliseconds(");
    await edit(repo, "src/schema/validate.ts", `from "./node.js"`, `from "./node"`);
    const result = await validate(repo);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.slice(0, -1)).toEqual([
      `src/duration.test.ts:2: "./duration.js" has no export named "toMs" (missing-export)`,
      `src/index.ts:3: "./duration.js" has no export named "toMs" (missing-export)`,
      `src/retry.ts:1: "./duration.js" has no export named "toMs" (missing-export)`,
      `src/schema/validate.ts:4: Cannot resolve "./node" (NodeNext needs the file name with its extension: "./node.js") (unresolved-import)`,
    ]);
    expect(lines.at(-1)).toMatch(/^4 new problems in 4 files \(2 changed files, against HEAD [0-9a-f]{12}\)$/);
  });

  it("reports only what the edit introduced, not what HEAD already had", async () => {
    const repo = await gitRepo("ts-lib");
    await edit(repo, "src/retry.ts", `from "./duration.js"`, `from "./durations.js"`);
    await repo.git("commit", "-qam", "broken at HEAD");
    await edit(repo, "src/cache.ts", "export default class LruCache", "export class LruCache");
    const result = await validate(repo);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain("src/retry.ts");
    expect(result.stdout).toContain(`src/index.ts:5: "./cache.js" has no default export (missing-default)`);
    expect(result.stdout).toContain(`src/cache.test.ts:2: "./cache.js" has no default export (missing-default)`);
  });
});

describe("swarm validate with the repository's installed packages and command gates", () => {
  const NODE_MODULES = fileURLToPath(new URL("../../node_modules/", import.meta.url));
  const TSC = path.join(NODE_MODULES, "typescript", "bin", "tsc");

  /** ts-lib with node_modules installed (linked to this project's, ignored as a user's would be). */
  async function installedRepo(): Promise<TempRepo> {
    const repo = await gitRepo("ts-lib");
    await appendFile(path.join(repo.dir, ".git", "info", "exclude"), "node_modules\n");
    await symlink(NODE_MODULES, path.join(repo.dir, "node_modules"), "dir");
    return repo;
  }

  it("an arity change breaks its callers: TS2554 from the type gate and from the configured typecheck", async () => {
    const repo = await installedRepo();
    // retry.ts calls toMs(x) with one argument; a required second parameter breaks it at the type level only.
    await edit(repo, "src/duration.ts", "export function toMs(value: string | number): number {", "export function toMs(value: string | number, unit: \"ms\" | \"s\"): number {\n  void unit;");
    const configFile = path.join(tempDir("swarm-validate-config-"), "swarm.config.json");
    await writeFile(configFile, JSON.stringify({ validate: { commands: { typecheck: `node ${TSC} --noEmit -p .` } } }));
    const result = await validate(repo, "--config", configFile);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toContainEqual("src/retry.ts:16: Expected 2 arguments, but got 1. (ts2554)");
    // The same break as the user's own tsc reports it, run in a worktree at HEAD and then with the edit.
    expect(lines).toContainEqual("src/retry.ts:16: Expected 2 arguments, but got 1. (typecheck:ts2554)");
    expect(lines).toContainEqual(expect.stringMatching(/^typecheck \(node .*tsc --noEmit -p \.\): failed \(HEAD: passed\)$/));
    expect(lines).not.toContainEqual(expect.stringContaining("src/cache.ts"));
  });

  it("without node_modules: imports only, and one line naming the install command", async () => {
    const repo = await gitRepo("ts-lib");
    await edit(repo, "src/duration.ts", "export function toMs(value: string | number): number {", "export function toMs(value: string | number, unit: \"ms\" | \"s\"): number {\n  void unit;");
    const result = await validate(repo);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: type check limited to imports and exports: .*`npm install`.*\n$/);
  });
});

describe("swarm validate outside a repository", () => {
  it("exits 2 with a one-line message", async () => {
    const result = await runCli(["validate", tempDir("swarm-not-a-repo-")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^swarm: not a git repository: /);
    expect(result.stdout).toBe("");
  });
});
