import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedConfig } from "../../src/config/index.js";
import type { SwarmEvent } from "../../src/events/index.js";
import { createOpenAIProvider } from "../../src/llm/index.js";
import { runSwarm } from "../../src/pipeline.js";
import type { Report } from "../../src/report/index.js";
import { gitRepo, type InlineTree, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type ParsedRequest, type RequestLog } from "../support/loopback-server.js";

// Issue 12: the type, public-API and command gates in whole runs. Real openai SDK → loopback server → real
// git; the independent check is the project's own `tsc` on the branch tip against HEAD.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE_MODULES = path.join(ROOT, "node_modules");
const TSC = path.join(NODE_MODULES, ".bin", "tsc");

interface Run {
  repo: TempRepo;
  report: Report;
  events: SwarmEvent[];
  requests: RequestLog[];
}

let configDir: string;
beforeAll(async () => {
  configDir = await mkdtemp(path.join(tmpdir(), "swarm-gate-config-"));
});
afterAll(() => rm(configDir, { recursive: true, force: true }));

type Answer = (req: ParsedRequest) => string | undefined;

async function runOn(tree: InlineTree, answer: Answer, config: Record<string, unknown>, opts: { installed?: boolean; folder?: string } = {}): Promise<Run> {
  const repo = await gitRepo({ ".gitignore": "node_modules\n", ...tree });
  // The user's installed packages: present in the working tree, never committed.
  if (opts.installed !== false) await symlink(NODE_MODULES, path.join(repo.dir, "node_modules"), "dir");
  const server = await startLoopbackServer({ answer });
  const configPath = path.join(configDir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(configPath, JSON.stringify({ concurrency: 4, retry: { attempts: 1, baseMs: 1, maxMs: 5 }, ...config }));
  const events: SwarmEvent[] = [];
  try {
    const summary = await runSwarm({
      repo: opts.folder ? path.join(repo.dir, opts.folder) : repo.dir,
      configPath,
      overrides: { instruction: "Tidy up", baseURL: server.url },
      needsInstruction: true,
      providerFor: (c: ResolvedConfig) => createOpenAIProvider({ baseURL: c.provider.baseURL, apiKey: "sk-test-gate", apiKeyEnv: "MOONSHOT_API_KEY", supportsThinking: false }),
      subscribers: [(e) => events.push(e)],
      drain: new AbortController().signal,
      abort: new AbortController().signal,
      random: () => 0.5,
    });
    const report = JSON.parse(await readFile(summary.reportJson, "utf8")) as Report;
    return { repo, report, events, requests: [...server.requests] };
  } finally {
    await server.close();
  }
}

/** `tsc --noEmit` error lines (positions dropped) of `rev`, checked out in a throwaway worktree with the packages linked. */
async function tscErrorsAt(repo: TempRepo, rev: string, project = "tsconfig.json"): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "swarm-gate-tsc-"));
  const tree = path.join(dir, path.basename(dir)); // unique: two adds at once race for .git/worktrees/t
  await repo.git("worktree", "add", "--detach", tree, rev);
  try {
    await symlink(NODE_MODULES, path.join(tree, "node_modules"), "dir");
    const out = await new Promise<string>((resolve) =>
      execFile(TSC, ["-p", project, "--noEmit", "--pretty", "false"], { cwd: tree }, (_e, stdout, stderr) => resolve(stdout + stderr)),
    );
    return out
      .split("\n")
      .filter((l) => /error TS\d+/.test(l))
      .map((l) => l.replace(/\(\d+,\d+\)/, ""))
      .sort();
  } finally {
    await repo.git("worktree", "remove", "--force", tree);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Exit code of `node --test` on `rev`, checked out in a throwaway worktree: the independent check of a test gate's outcome. */
async function nodeTestAt(repo: TempRepo, rev: string): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "swarm-gate-node-test-"));
  const tree = path.join(dir, path.basename(dir)); // unique: two adds at once race for .git/worktrees/t
  await repo.git("worktree", "add", "--detach", tree, rev);
  try {
    return await new Promise<number>((resolve) =>
      execFile(process.execPath, ["--test"], { cwd: tree }, (error) => resolve(error ? Number((error as { code?: number }).code ?? 1) : 0)),
    );
  } finally {
    await repo.git("worktree", "remove", "--force", tree);
    await rm(dir, { recursive: true, force: true });
  }
}

const TSCONFIG = JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: ["node"] }, include: ["src"] });

/** A small TS project whose exports are used two hops away. */
const TYPED: InlineTree = {
  "package.json": JSON.stringify({ name: "typed", type: "module", devDependencies: { "@types/node": "*", typescript: "*" } }),
  "tsconfig.json": TSCONFIG,
  "src/math.ts": "export function scale(value: number): number {\n  return value * 2;\n}\n",
  "src/shape.ts": "export class Box {\n  constructor(readonly side: number) {}\n  area(): number {\n    return this.side * this.side;\n  }\n}\n",
  "src/color.ts": "export enum Color {\n  Red = 'red',\n  Blue = 'blue',\n}\n",
  "src/user.ts": "export function loadUser(id: number): { name: string; id: number } {\n  return { name: `u${id}`, id };\n}\n",
  "src/app.ts": [
    'import { scale } from "./math.js";',
    'import { Box } from "./shape.js";',
    'import { Color } from "./color.js";',
    'import { loadUser } from "./user.js";',
    "export const size = scale(3);",
    "export const area = new Box(2).area();",
    "export const blue = Color.Blue;",
    "export function userName() {",
    "  return loadUser(1);",
    "}",
    "",
  ].join("\n"),
  // Two hops from user.ts: the inferred return type of userName carries the change here.
  "src/report.ts": 'import { userName } from "./app.js";\n\nexport const shout: string = userName().name.toUpperCase();\n',
};

const BREAKS: Record<string, (source: string) => string> = {
  "src/math.ts": (s) => s.replace("scale(value: number)", "scale(value: number, factor: number)").replace("value * 2", "value * factor"),
  "src/shape.ts": (s) => s.replace("area(): number", "surface(): number"),
  "src/color.ts": (s) => s.replace("  Blue = 'blue',\n", ""),
  "src/user.ts": (s) => s.replace("{ name: string; id: number }", "{ fullName: string; id: number }").replace("{ name: `u${id}`, id }", "{ fullName: `u${id}`, id }"),
};

function typeBreakingAnswer(fixSome: boolean): Answer {
  return (req) => {
    if (req.role === "refactor" && req.file && BREAKS[req.file]) return BREAKS[req.file]!(req.source!);
    if (req.role === "repair" && req.file === "src/math.ts" && fixSome) {
      // Repaired properly: the new parameter is optional.
      return req.source!.replace("factor: number)", "factor = 2)");
    }
    if (req.role === "repair") return req.source;
    return undefined;
  };
}

function expectTypeProblems(report: Report) {
  const codes = new Set(report.validation!.problems.map((p) => p.code));
  expect(codes).toContain("ts2554"); // arity: callers pass one argument
  expect(codes).toContain("ts2339"); // renamed method / removed enum member / changed return type
  expect(report.validation!.typeCheck).toBe("all");
  const byFile = (f: string) => report.validation!.problems.filter((p) => p.file === f);
  expect(byFile("src/app.ts").length).toBeGreaterThanOrEqual(3);
  // The two-hop break of the changed return type.
  expect(byFile("src/report.ts").map((p) => p.code)).toContain("ts2339");
}

describe("type-level breaks, installed @types (whole repo)", () => {
  let run: Run;
  beforeAll(async () => {
    run = await runOn(TYPED, typeBreakingAnswer(true), { roles: ["refactor"] });
  }, 120_000);
  afterAll(() => run.repo.cleanup());

  it("lists each break with its compiler code, blamed on the refactor that caused it", () => {
    expectTypeProblems(run.report);
    const arity = run.report.validation!.problems.find((p) => p.code === "ts2554")!;
    expect(arity.blame).toBe("refactor:src/math.ts");
  });

  it("repairs what a repair fixes and reverts the rest", () => {
    const reverted = run.report.validation!.reverts.map((r) => r.file).sort();
    expect(reverted).toEqual(["src/color.ts", "src/shape.ts", "src/user.ts"]);
    expect(run.report.validation!.repairs.find((r) => r.file === "src/math.ts" && r.fixed)).toBeDefined();
  });

  it("leaves no compiler error on the branch tip that HEAD did not have (tsc)", async () => {
    const [head, tip] = await Promise.all([tscErrorsAt(run.repo, "main"), tscErrorsAt(run.repo, run.report.branch!)]);
    expect(tip.filter((l) => !head.includes(l))).toEqual([]);
    expect(await run.repo.git("show", `${run.report.branch}:src/math.ts`)).toContain("factor = 2");
  });
});

describe("type-level breaks under a solution-style root tsconfig", () => {
  let run: Run;
  beforeAll(async () => {
    const tree: InlineTree = { ...TYPED, "tsconfig.json": JSON.stringify({ files: [], references: [{ path: "./src" }] }) };
    tree["src/tsconfig.json"] = JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, composite: true, types: ["node"], outDir: "../dist" }, include: ["."] });
    run = await runOn(tree, typeBreakingAnswer(false), { roles: ["refactor"] });
  }, 120_000);
  afterAll(() => run.repo.cleanup());

  it("checks the referenced project and reverts every break", async () => {
    expectTypeProblems(run.report);
    expect(run.report.validation!.reverts.map((r) => r.file)).toEqual(expect.arrayContaining(["src/color.ts", "src/math.ts", "src/shape.ts", "src/user.ts"]));
    const [head, tip] = await Promise.all([tscErrorsAt(run.repo, "main", "src/tsconfig.json"), tscErrorsAt(run.repo, run.report.branch ?? "main", "src/tsconfig.json")]);
    expect(tip.filter((l) => !head.includes(l))).toEqual([]);
  });
});

describe("public API and gaming", () => {
  let run: Run;
  beforeAll(async () => {
    const tree: InlineTree = {
      "package.json": JSON.stringify({ name: "lib", type: "module", exports: { ".": "./src/index.ts", "./testing": "./src/testing.ts" }, devDependencies: { "@types/node": "*" } }),
      "tsconfig.json": TSCONFIG,
      "src/index.ts": 'export { total } from "./total.js";\n',
      "src/total.ts": "export function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n",
      // Enough lines stay that the answer is no mass deletion (the answer-safety check would stop it first).
      "src/testing.ts": 'import { total } from "./total.js";\n\nexport function testClient() {\n  return { total };\n}\nexport const VERSION = "1";\nexport const NAME = "lib";\nexport const MODE = "test";\nexport const LEVEL = 3;\n',
      "src/use.ts": 'import { testClient } from "./testing.js";\n\nexport const client = testClient();\n',
      "src/count.ts": 'export function count(xs: string[]): number {\n  return xs.length;\n}\n',
      "src/caller.ts": 'import { count } from "./count.js";\n\nexport const n: number = count(["a"]);\n',
      "src/size.ts": "export const size: number = 3;\nexport const unit = \"px\";\n",
    };
    run = await runOn(
      tree,
      (req) => {
        // The entry point loses testClient, and its only importer is rewritten to match.
        if (req.role === "refactor" && req.file === "src/testing.ts") return 'export const VERSION = "1";\nexport const NAME = "lib";\nexport const MODE = "test";\nexport const LEVEL = 3;\n';
        if (req.role === "refactor" && req.file === "src/use.ts") return "export const client = {};\n";
        // A real type break whose "repair" silences the compiler.
        if (req.role === "refactor" && req.file === "src/count.ts") return req.source!.replace("): number", "): string").replace("xs.length", "String(xs.length)");
        if (req.role === "repair" && req.file === "src/caller.ts") return req.source!.replace("export const n", "// @ts-ignore\nexport const n");
        if (req.role === "repair" && req.file === "src/count.ts") return req.source!.replace("String(xs.length)", "xs.length as any");
        // A type error inside the changed file itself, "repaired" by silencing the line.
        if (req.role === "refactor" && req.file === "src/size.ts") return req.source!.replace("= 3;", '= "3";');
        if (req.role === "repair" && req.file === "src/size.ts") return req.source!.replace("export const size", "// @ts-ignore\nexport const size");
        // A test that "passes" by skipping its only case.
        if (req.role === "test" && req.file === "src/total.ts") return 'import { test } from "node:test";\nimport { total } from "../src/total.js";\n\ntest.skip("sums", () => {\n  total([1, 2]);\n});\n';
        if (req.role === "repair") return req.source;
        return undefined;
      },
      { roles: ["refactor", "test"] },
    );
  }, 120_000);
  afterAll(() => run.repo.cleanup());

  it("catches an export removed from a package entry point although its importer was rewritten too", async () => {
    const problem = run.report.validation!.problems.find((p) => p.code === "public-api" && p.message.includes('"testClient"'));
    expect(problem).toMatchObject({ file: "src/testing.ts", blame: "refactor:src/testing.ts" });
    expect(await run.repo.git("show", `${run.report.branch ?? "main"}:src/testing.ts`)).toContain("testClient");
  });

  it("rejects a repair that adds `as any` instead of fixing the type", async () => {
    const gamed = run.report.validation!.problems.filter((p) => p.code === "gate-suppressed");
    expect(gamed.map((p) => p.file)).toContain("src/count.ts");
    expect(run.report.validation!.reverts.map((r) => r.file)).toContain("src/count.ts");
    expect(await run.repo.git("show", `${run.report.branch ?? "main"}:src/count.ts`)).not.toContain("as any");
  });

  it("rejects a repair that adds @ts-ignore, and a test that skips its case", async () => {
    const gamed = run.report.validation!.problems.filter((p) => p.code === "gate-suppressed");
    expect(gamed.find((p) => p.file === "src/size.ts")?.message).toContain("@ts-ignore");
    expect(await run.repo.git("show", `${run.report.branch ?? "main"}:src/size.ts`)).toBe("export const size: number = 3;\nexport const unit = \"px\";");
    const skipTask = run.report.tasks.find((t) => t.id === "test:src/total.ts")!;
    expect(gamed.map((p) => p.file)).toContain(skipTask.output);
    expect(skipTask.status).toBe("failed");
    const onBranch = await run.repo.git("ls-tree", "-r", "--name-only", run.report.branch ?? "main");
    expect(onBranch.split("\n")).not.toContain(skipTask.output);
  });
});

describe("command gate: the fixture's own node:test runner runs the generated tests", () => {
  let run: Run;
  beforeAll(async () => {
    const tree: InlineTree = {
      "package.json": JSON.stringify({ name: "cmd", type: "module", scripts: { test: "node --test test/" } }),
      "src/sum.js": "export function sum(a, b) {\n  return a + b;\n}\n",
      "src/half.js": "export function half(x) {\n  return x / 2;\n}\n",
      "test/existing.test.js": 'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\ntest("sum", () => assert.equal(sum(1, 2), 3));\n',
    };
    const failing = (mod: string, fn: string) =>
      `import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { ${fn} } from "../src/${mod}.js";\ntest("${fn}", () => assert.equal(${fn}(4, 4), 999));\n`;
    const passing = (mod: string, fn: string, want: number) =>
      `import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { ${fn} } from "../src/${mod}.js";\ntest("${fn}", () => assert.equal(${fn}(4, 4), ${want}));\n`;
    run = await runOn(
      tree,
      (req) => {
        if (req.role === "refactor") return `// tidied\n${req.source}`;
        if (req.role === "test" && req.file === "src/sum.js") return failing("sum", "sum");
        if (req.role === "test" && req.file === "src/half.js") return failing("half", "half");
        // The sum test is repaired from the failure output; the half test keeps failing.
        if (req.role === "repair" && req.file === "test/sum.test.js") return lastText(req).includes("8 !== 999") ? passing("sum", "sum", 8) : req.source;
        if (req.role === "repair") return req.source;
        return undefined;
      },
      { roles: ["refactor", "test"], validate: { commands: { test: "node --test {tests}" } } },
      { installed: false },
    );
  }, 120_000);
  afterAll(() => run.repo.cleanup());

  it("sends the failure output back, keeps the repaired test and reverts the one still failing", async () => {
    const repairs = run.requests.filter((r) => r.role === "repair");
    expect(repairs.some((r) => r.file === "test/sum.test.js" && lastText(r).includes("8 !== 999"))).toBe(true);
    const failed = run.report.validation!.problems.filter((p) => p.code === "test-failed").map((p) => p.file).sort();
    expect(failed).toEqual(["test/half.test.js", "test/sum.test.js"]);
    expect(run.report.validation!.reverts.map((r) => r.file)).toEqual(["test/half.test.js"]);
    // The gate's final outcome is the branch tip's (run again after the revert): the repaired test passes.
    expect(run.report.validation!.gates).toEqual([expect.objectContaining({ gate: "test", head: "passed", result: "passed" })]);
    const branch = run.report.branch ?? "main";
    expect(await nodeTestAt(run.repo, branch)).toBe(0);
    expect(await run.repo.git("show", `${branch}:test/sum.test.js`)).toContain("8)");
    await expect(run.repo.git("show", `${branch}:test/half.test.js`)).rejects.toThrow();
  });
});

function lastText(req: { messages: { content?: unknown }[] }): string {
  return req.messages.map((m) => String(m.content ?? "")).join("\n");
}

describe("generated node:test tests in a TypeScript repo, and the framework in the prompt", () => {
  const nodeTest = (fn: string) =>
    `import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { ${fn} } from "./${fn}.js";\n\ntest("${fn}", () => {\n  assert.equal(${fn}(2), 4);\n});\n`;
  // TypeScript 6 (installed here) loads @types only when `types` names them, as `tsc` does.
  const tree = (devDependencies: Record<string, string>): InlineTree => ({
    "package.json": JSON.stringify({ name: "ts", type: "module", devDependencies }),
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: ["node"] }, include: ["src"] }),
    "src/double.ts": "export function double(x: number): number {\n  return x * 2;\n}\n",
  });
  const answer: Answer = (req) => (req.role === "test" ? nodeTest("double") : undefined);

  for (const installed of [true, false]) {
    it(`accepts them with @types/node ${installed ? "installed" : "only declared in package.json"}`, async () => {
      const run = await runOn(tree({ "@types/node": "*" }), answer, { roles: ["test"] }, { installed });
      try {
        expect(run.report.validation!.problems).toEqual([]);
        expect(await run.repo.git("show", `${run.report.branch}:src/double.test.ts`)).toContain('from "node:test"');
        expect(run.report.validation!.typeCheck).toBe(installed ? "all" : "imports");
        if (!installed) expect(run.report.validation!.notes).toEqual([expect.stringContaining("run `npm install`")]);
      } finally {
        await run.repo.cleanup();
      }
    }, 120_000);
  }

  it("names vitest in the test prompt of a vitest repo", async () => {
    const run = await runOn(tree({ vitest: "4.1.12" }), () => undefined, { roles: ["test"] }, { installed: false });
    try {
      expect(lastText(run.requests.find((r) => r.role === "test")!)).toContain("Test framework: vitest");
    } finally {
      await run.repo.cleanup();
    }
  }, 120_000);
});

describe("folder run in a monorepo", () => {
  let run: Run;
  beforeAll(async () => {
    const tree: InlineTree = {
      "package.json": JSON.stringify({ name: "mono", private: true, type: "module", workspaces: ["server", "app"] }),
      "tsconfig.json": TSCONFIG.replace('"include":["src"]', '"include":["server","app","shared"]'),
      "shared/util.ts": "export function slug(s: string): string {\n  return s.toLowerCase();\n}\n",
      "server/routes.ts": 'import { slug } from "../shared/util.js";\n\nexport function route(name: string): string {\n  return `/${slug(name)}`;\n}\nexport const ROOT = "/";\n',
      "server/index.ts": 'import { route } from "./routes.js";\n\nexport const home = route("Home");\n',
      "app/main.ts": 'import { ROOT } from "../server/routes.js";\n\nexport const root: string = ROOT;\n',
    };
    run = await runOn(
      tree,
      (req) => {
        // Drops ROOT, which only app/main.ts (outside the folder) uses; keeps the import of shared/util.ts.
        if (req.role === "refactor" && req.file === "server/routes.ts") return req.source!.replace('export const ROOT = "/";\n', "");
        if (req.role === "repair") return req.source;
        return undefined;
      },
      { roles: ["refactor"] },
      { folder: "server" },
    );
  }, 120_000);
  afterAll(() => run.repo.cleanup());

  it("resolves imports out of the folder and catches the caller outside it", async () => {
    const problems = run.report.validation!.problems;
    expect(problems.filter((p) => p.file.startsWith("server/"))).toEqual([]);
    expect(problems.filter((p) => p.file === "app/main.ts").length).toBeGreaterThan(0);
    expect(run.report.validation!.reverts.map((r) => r.file)).toEqual(["server/routes.ts"]);
    const [head, tip] = await Promise.all([tscErrorsAt(run.repo, "main"), tscErrorsAt(run.repo, run.report.branch ?? "main")]);
    expect(tip.filter((l) => !head.includes(l))).toEqual([]);
  });
});
