import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { builtinModules, createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { generateGitRepo, generateRepo, synthesizeFiles } from "../../support/generate-repo.js";
import { FIXTURES_DIR, gitRepo, hashWorkingTree, tempDir } from "../../support/git-repo.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSC = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "tsc.cmd" : "tsc");

function listFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(dir, child));
    else out.push(child);
  }
  return out.sort();
}

interface Specifier {
  from: string;
  specifier: string;
}

const REQUIRE_RE = /\brequire\(\s*(['"])([^'"]+)\1\s*\)/g;
const ESM_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\1/g;

function relativeSpecifiers(root: string, files: string[], re: RegExp): Specifier[] {
  const out: Specifier[] = [];
  for (const from of files) {
    for (const match of readFileSync(path.join(root, from), "utf8").matchAll(re)) {
      const specifier = match[2]!;
      if (specifier.startsWith(".")) out.push({ from, specifier });
    }
  }
  return out;
}

/** Node's CommonJS lookup, reduced to what the fixtures use. */
function resolveCjs(root: string, s: Specifier): string | undefined {
  const base = path.posix.join(path.posix.dirname(s.from), s.specifier);
  return [base, `${base}.js`, `${base}.json`, `${base}/index.js`].find((p) => {
    const abs = path.join(root, p);
    return existsSync(abs) && statSync(abs).isFile();
  });
}

/** NodeNext: a `.js` specifier names the `.ts` source. */
function resolveNodeNext(root: string, s: Specifier): string | undefined {
  const base = path.posix.join(path.posix.dirname(s.from), s.specifier);
  return [base.replace(/\.js$/, ".ts"), base].find((p) => existsSync(path.join(root, p)));
}

/**
 * Evaluates CommonJS files without their npm dependencies (none are installed): relative requires load
 * recursively, builtins load for real, every external package is a callable proxy that accepts anything.
 */
function createStubLoader(root: string) {
  const realRequire = createRequire(import.meta.url);
  const cache = new Map<string, { exports: unknown }>();
  const stub: unknown = new Proxy(function stubbed() {}, {
    get: (_target, key) => (key === Symbol.toPrimitive ? () => "stub" : stub),
    apply: () => stub,
    construct: () => stub as object,
  });
  const load = (relPath: string): unknown => {
    const cached = cache.get(relPath);
    if (cached) return cached.exports;
    const abs = path.join(root, relPath);
    const module = { exports: {} as unknown };
    cache.set(relPath, module);
    if (relPath.endsWith(".json")) {
      module.exports = JSON.parse(readFileSync(abs, "utf8"));
      return module.exports;
    }
    const requireFn = (specifier: string): unknown => {
      if (specifier.startsWith(".")) {
        const target = resolveCjs(root, { from: relPath, specifier });
        if (target === undefined) throw new Error(`${relPath}: cannot resolve ${specifier}`);
        return load(target);
      }
      const bare = specifier.replace(/^node:/, "");
      return builtinModules.includes(bare) ? realRequire(specifier) : stub;
    };
    const wrapper = vm.runInThisContext(
      `(function (exports, require, module, __filename, __dirname) {${readFileSync(abs, "utf8")}\n})`,
      { filename: abs },
    ) as (...args: unknown[]) => void;
    wrapper(module.exports, requireFn, module, abs, path.dirname(abs));
    return module.exports;
  };
  return load;
}

const DESTRUCTURED_RE = /const\s*\{([^}]+)\}\s*=\s*require\(\s*(['"])(\.[^'"]+)\2\s*\)/g;

describe("fixtures/express-api", () => {
  const root = path.join(FIXTURES_DIR, "express-api");
  const files = listFiles(root);
  const jsFiles = files.filter((f) => f.endsWith(".js"));

  it("has the shape the scan and plan tests rely on", () => {
    expect(jsFiles.filter((f) => f.startsWith("src/")).length).toBeGreaterThanOrEqual(30);
    expect(files.filter((f) => /^test\/[^/]+\.test\.js$/.test(f)).length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).type).not.toBe("module");
    for (const secretLike of [".env.production", "keys/dev.pem"]) expect(files).toContain(secretLike);
    expect(readFileSync(path.join(root, "keys/dev.pem"), "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(path.join(root, "public/logo.png")).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(readFileSync(path.join(root, "public/logo.png")).includes(0)).toBe(true);
    for (const f of files) expect(statSync(path.join(root, f)).size, f).toBeLessThan(200_000);
  });

  it("uses every CommonJS form the graph builder must understand", () => {
    const sources = jsFiles.map((f) => readFileSync(path.join(root, f), "utf8")).join("\n");
    expect(sources).toMatch(/module\.exports = function \w+\(/);
    expect(sources).toMatch(/module\.exports = \{/);
    expect(sources).toMatch(/^exports\.\w+ = /m);
    expect(sources).toMatch(/const \{ [\w, ]+ \} = require\('\.\.?\//);
    expect(sources).toMatch(/require\('\.\.\/services'\)/);
    expect(sources).toMatch(/require\('\.\/\w+'\)/);
    expect(sources).toMatch(/fs\.readFile\(/);
    expect(sources).toMatch(/setTimeout\(/);
  });

  it("resolves every relative require to a file", () => {
    const specifiers = relativeSpecifiers(root, jsFiles, REQUIRE_RE);
    expect(specifiers.length).toBeGreaterThan(80);
    const unresolved = specifiers.filter((s) => resolveCjs(root, s) === undefined);
    expect(unresolved).toEqual([]);
  });

  it("loads every module and every destructured name is exported", () => {
    const load = createStubLoader(root);
    const missing: string[] = [];
    let checked = 0;
    for (const file of jsFiles) {
      load(file);
      for (const match of readFileSync(path.join(root, file), "utf8").matchAll(DESTRUCTURED_RE)) {
        const target = resolveCjs(root, { from: file, specifier: match[3]! })!;
        const exported = load(target) as Record<string, unknown>;
        for (const name of match[1]!.split(",").map((n) => n.trim().split(":")[0]!.trim()).filter(Boolean)) {
          checked += 1;
          if (exported[name] === undefined) missing.push(`${file}: ${name} from ${match[3]}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});

function runTsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(TSC, ["-p", project, "--noEmit"], { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

describe("fixtures/ts-lib", () => {
  const root = path.join(FIXTURES_DIR, "ts-lib");
  const files = listFiles(root);
  const tsFiles = files.filter((f) => f.endsWith(".ts"));

  it("is an ESM package with tests beside their modules", () => {
    expect(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).type).toBe("module");
    const beside = tsFiles.filter((f) => f.endsWith(".test.ts") && tsFiles.includes(f.replace(/\.test\.ts$/, ".ts")));
    expect(beside.length).toBeGreaterThanOrEqual(2);
    expect(files.some((f) => f.startsWith("test/"))).toBe(false);
  });

  it("resolves every relative import (.js specifiers name .ts files) and has a cycle", () => {
    const specifiers = relativeSpecifiers(root, tsFiles, ESM_RE);
    expect(specifiers.every((s) => s.specifier.endsWith(".js"))).toBe(true);
    expect(specifiers.filter((s) => resolveNodeNext(root, s) === undefined)).toEqual([]);
    const edges = new Set(specifiers.map((s) => `${s.from} -> ${resolveNodeNext(root, s)}`));
    expect(edges).toContain("src/schema/node.ts -> src/schema/describe.ts");
    expect(edges).toContain("src/schema/describe.ts -> src/schema/node.ts");
  });

  it("type-checks with the project's tsc", async () => {
    const { code, output } = await runTsc(root);
    expect(output).toBe("");
    expect(code).toBe(0);
  });
});

describe("gitRepo", () => {
  it("copies a fixture and commits all of it on main", async () => {
    const repo = await gitRepo("express-api");
    expect(await repo.git("status", "--porcelain=v1", "-uall")).toBe("");
    expect(await repo.git("rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(await repo.git("log", "--format=%s")).toBe("initial");
    expect(await repo.git("config", "gc.auto")).toBe("0");
    const tracked = (await repo.git("ls-files")).split("\n").sort();
    expect(tracked).toEqual(listFiles(path.join(FIXTURES_DIR, "express-api")));
  });

  it("snapshot is stable when nothing changes and detects edits, new files and new refs", async () => {
    const repo = await gitRepo({ "a.txt": "one\n", "bin/data.bin": Buffer.from([0, 1, 2]) });
    const before = await repo.snapshot();
    expect(await repo.snapshot()).toEqual(before);
    expect(before.branch).toBe("main");
    expect(Object.keys(before.files)).toEqual(["a.txt", "bin/data.bin"]);

    await writeFile(path.join(repo.dir, "a.txt"), "two\n");
    const edited = await repo.snapshot();
    expect(edited.files["a.txt"]).not.toBe(before.files["a.txt"]);
    expect(edited.status).toBe(" M a.txt");
    await repo.git("checkout", "--", "a.txt");
    expect(await repo.snapshot()).toEqual(before);

    await repo.git("branch", "swarm/x");
    const branched = await repo.snapshot();
    expect(branched.refs).not.toBe(before.refs);
    expect(branched.head).toBe(before.head);
  });

  it("ignores .swarm but sees everything else, and gives the same sha for the same tree", async () => {
    const tree = { "src/index.js": "module.exports = 1;\n" };
    const a = await gitRepo(tree);
    const b = await gitRepo(tree);
    expect(await a.git("rev-parse", "HEAD")).toBe(await b.git("rev-parse", "HEAD"));
    const before = await a.snapshot();
    await mkdir(path.join(a.dir, ".git", "info"), { recursive: true });
    await writeFile(path.join(a.dir, ".git", "info", "exclude"), ".swarm/\n");
    await generateRepo(path.join(a.dir, ".swarm"), { files: 2, seed: 1 });
    expect(await a.snapshot()).toEqual(before);
    await writeFile(path.join(a.dir, "untracked.js"), "");
    expect((await a.snapshot()).status).toBe("?? untracked.js");
  });

  it("rejects inline paths that escape the repo", async () => {
    await expect(gitRepo({ "../evil.txt": "x" })).rejects.toThrow(/inside the repo/);
  });
});

const NAMED_IMPORT_RE = /(?:import\s*(type\s*)?\{([^}]+)\}\s*from|const\s*\{([^}]+)\}\s*=\s*require\()\s*(['"])([^'"]+)\4/g;
const EXPORTED_RE = /export (?:function|interface) (\w+)|module\.exports = \{([^}]+)\}/g;

function checkSyntheticImports(root: string, paths: string[], style: "cjs" | "esm-ts"): string[] {
  const problems: string[] = [];
  const exportsOf = (p: string): Set<string> => {
    const names = new Set<string>();
    for (const m of readFileSync(path.join(root, p), "utf8").matchAll(EXPORTED_RE)) {
      if (m[1] !== undefined) names.add(m[1]);
      for (const n of (m[2] ?? "").split(",")) if (n.trim() !== "") names.add(n.trim());
    }
    return names;
  };
  for (const from of paths) {
    for (const m of readFileSync(path.join(root, from), "utf8").matchAll(NAMED_IMPORT_RE)) {
      const specifier = m[5]!;
      const target = style === "cjs" ? resolveCjs(root, { from, specifier }) : resolveNodeNext(root, { from, specifier });
      if (target === undefined) {
        problems.push(`${from}: unresolved ${specifier}`);
        continue;
      }
      if (paths.indexOf(target) >= paths.indexOf(from)) problems.push(`${from}: imports a later file ${target}`);
      const exported = exportsOf(target);
      for (const name of (m[2] ?? m[3] ?? "").split(",").map((n) => n.trim())) {
        if (!exported.has(name)) problems.push(`${from}: ${name} is not exported by ${target}`);
      }
    }
  }
  return problems;
}

describe("generateRepo", () => {
  const genDir = () => tempDir("swarm-gen-test-");

  it("is deterministic for a seed and differs across seeds", async () => {
    const [a, b, c] = [genDir(), genDir(), genDir()];
    const paths = await generateRepo(a, { files: 120, seed: 7 });
    expect(await generateRepo(b, { files: 120, seed: 7 })).toEqual(paths);
    await generateRepo(c, { files: 120, seed: 8 });
    const hashA = await hashWorkingTree(a);
    expect(await hashWorkingTree(b)).toEqual(hashA);
    expect(await hashWorkingTree(c)).not.toEqual(hashA);
  });

  it("writes folders of sources of realistic size plus the project files", async () => {
    const dir = genDir();
    const paths = await generateRepo(dir, { files: 200, seed: 3, avgBytes: 1500 });
    expect(paths).toHaveLength(200);
    expect(new Set(paths.map((p) => path.posix.dirname(p))).size).toBe(5);
    expect(existsSync(path.join(dir, "tsconfig.json"))).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")).type).toBe("module");
    const sizes = paths.map((p) => statSync(path.join(dir, p)).size);
    const mean = sizes.reduce((s, n) => s + n, 0) / sizes.length;
    expect(mean).toBeGreaterThan(1000);
    expect(mean).toBeLessThan(2200);
    const files = synthesizeFiles({ files: 200, seed: 3 });
    expect(files.slice(1).every((f) => f.imports.length >= 1 && f.imports.length <= 3)).toBe(true);
  });

  it("esm-ts: every named import exists and the repo type-checks", async () => {
    const dir = genDir();
    const paths = await generateRepo(dir, { files: 80, seed: 11, style: "esm-ts" });
    expect(checkSyntheticImports(dir, paths, "esm-ts")).toEqual([]);
    expect(paths.some((p) => readFileSync(path.join(dir, p), "utf8").includes("import type {"))).toBe(true);
    const { code, output } = await runTsc(dir);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("cjs: every named require exists and the modules run", async () => {
    const dir = genDir();
    const paths = await generateRepo(dir, { files: 80, seed: 11, style: "cjs" });
    expect(paths.every((p) => p.endsWith(".js"))).toBe(true);
    expect(checkSyntheticImports(dir, paths, "cjs")).toEqual([]);
    const load = createStubLoader(dir);
    const last = load(paths.at(-1)!) as Record<string, (n: number) => number>;
    const fns = Object.values(last);
    expect(fns.length).toBeGreaterThanOrEqual(2);
    for (const fn of fns) expect(Number.isFinite(fn(5))).toBe(true);
  });

  it("generateGitRepo commits the whole tree, and the tree sha depends only on the seed", async () => {
    const a = await generateGitRepo({ files: 150, seed: 21, style: "cjs" });
    const b = await generateGitRepo({ files: 150, seed: 21, style: "cjs" });
    try {
      expect(await a.git("status", "--porcelain=v1", "-uall")).toBe("");
      expect((await a.git("ls-files")).split("\n")).toHaveLength(150 + 2);
      expect(await b.git("rev-parse", "HEAD^{tree}")).toBe(await a.git("rev-parse", "HEAD^{tree}"));
      expect(b.paths).toEqual(a.paths);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });
});
