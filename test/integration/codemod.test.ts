import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedConfig } from "../../src/config/schema.js";
import { createOpenAIProvider } from "../../src/llm/openai-provider.js";
import { runSwarm } from "../../src/pipeline.js";
import type { Report } from "../../src/report/types.js";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackServer } from "../support/loopback-server.js";
import { runMain, type MainResult } from "../support/main-in-process.js";

// Issue 18: a user codemod runs before any request; only the files it hands off (or throws on) reach the model.

const CODEMOD_BODY = `
  if (ctx.path.includes("throw")) throw new Error("cannot handle " + ctx.path);
  if (ctx.path.includes("hard")) {
    file.insertText(0, "// partial\\n");
    ctx.handOff("uses dynamic dispatch");
    return;
  }
  // Read-only access to the rest of the project through the import graph.
  const imported = ctx.graph.importsOf(ctx.path).map((p) => ctx.project.getSourceFile(p)?.getBaseName());
  file.replaceWithText(file.getFullText().replace(/\\bvar\\b/g, "const") + (imported.length ? "// uses " + imported.join(",") + "\\n" : ""));
`;
const MJS = `export default function (file, ctx) {${CODEMOD_BODY}}\n`;
// A value import of ts-morph from a temp folder with no node_modules: resolved from swarm's own.
const TS = `import { VariableDeclarationKind, type SourceFile } from "ts-morph";\nif (VariableDeclarationKind.Const !== "const") throw new Error("no ts-morph");\ninterface Ctx { path: string; handOff(reason: string): void; graph: { importsOf(p: string): string[] }; project: { getSourceFile(p: string): SourceFile | undefined } }\nexport default function (file: SourceFile, ctx: Ctx): void {${CODEMOD_BODY}}\n`;

const TREE = {
  "package.json": '{ "name": "cm", "type": "module" }\n',
  "src/easy-1.js": 'import { h1 } from "./hard-1.js";\nexport var e1 = h1 + 1;\n',
  "src/easy-2.js": "export var e2 = 2;\n",
  "src/easy-3.js": "export var e3 = 3;\n",
  "src/hard-1.js": "export var h1 = 1;\n",
  "src/hard-2.js": "export var h2 = 2;\n",
  "src/throw-1.js": "export var t1 = 1;\n",
};
const TO_MODEL = ["src/hard-1.js", "src/hard-2.js", "src/throw-1.js"];

let server: LoopbackServer;
let repo: TempRepo;
let dir: string;
beforeAll(async () => {
  server = await startLoopbackServer();
  repo = await gitRepo(TREE);
  dir = tempDir("swarm-codemod-");
  await writeFile(path.join(dir, "half.mjs"), MJS);
  await writeFile(path.join(dir, "half.ts"), TS);
});
afterAll(async () => {
  await server?.close();
  await repo?.cleanup();
});

describe("swarm run --codemod with a user codemod", () => {
  let cli: MainResult;
  let report: Report;
  let reportMd: string;
  beforeAll(async () => {
    server.reset();
    cli = await runMain(["run", repo.dir, "-i", "use const", "--roles", "refactor,test", "--codemod", path.join(dir, "half.mjs"), "--base-url", server.url]);
    const reportPath = /(\S+report\.json)/.exec(cli.stdout)?.[1];
    if (!reportPath) throw new Error(`no report: ${cli.code}\n${cli.stdout}\n${cli.stderr}`);
    report = JSON.parse(await readFile(reportPath, "utf8")) as Report;
    reportMd = await readFile(reportPath.replace(/\.json$/, ".md"), "utf8");
  }, 60_000);

  it("sends exactly the handed-off and thrown-on files to the endpoint for refactoring", () => {
    expect(cli.code, cli.stderr).toBe(0);
    const asked = server.requests.filter((r) => r.role === "refactor").map((r) => r.file).sort();
    expect(asked).toEqual(TO_MODEL);
  });

  it("still writes the tests of the files the codemod finished, from their new content", () => {
    const tests = server.requests.filter((r) => r.role === "test");
    expect(tests.map((r) => r.file).sort()).toEqual(Object.keys(TREE).filter((f) => f.startsWith("src/")).sort());
    const prompt = String(tests.find((r) => r.file === "src/easy-2.js")!.messages.at(-1)!.content);
    expect(prompt).toContain("export const e2 = 2;");
    expect(prompt).not.toContain("export var e2");
  });

  it("gives the model the codemod's partial result and its reason", () => {
    const request = server.requests.find((r) => r.file === "src/hard-1.js")!;
    const text = request.messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");
    expect(text).toContain("uses dynamic dispatch");
    expect(text).toContain("// partial\nexport var h1 = 1;");
    const thrown = server.requests.find((r) => r.file === "src/throw-1.js")!;
    expect(thrown.messages.map((m) => String(m.content)).join("\n")).toContain("cannot handle src/throw-1.js");
  });

  it("commits the codemod's edits in their own commit before the role's", async () => {
    const branch = report.branch!;
    const subjects = (await repo.git("log", "--reverse", "--format=%s", `main..${branch}`)).trim().split("\n");
    expect(subjects).toEqual(["swarm(codemod): use const", "swarm(refactor): use const", "swarm(test): use const"]);
    const [codemodSha, refactorSha] = (await repo.git("log", "--reverse", "--format=%H", `main..${branch}`)).trim().split("\n");
    const filesOf = async (sha: string) => (await repo.git("show", "--name-only", "--format=", sha!)).trim().split("\n").sort();
    expect(await filesOf(codemodSha!)).toEqual(["src/easy-1.js", "src/easy-2.js", "src/easy-3.js"]);
    expect(await repo.git("log", "-1", "--format=%b", codemodSha!)).toMatch(/^by half\.mjs\n/);
    expect(await filesOf(refactorSha!)).toEqual(TO_MODEL);
    expect((await repo.git("show", `${branch}:src/easy-1.js`)).trimEnd()).toBe('import { h1 } from "./hard-1.js";\nexport const e1 = h1 + 1;\n// uses hard-1.js');
  });

  it("fails only the file it threw on, with the stack's first frame in the report", () => {
    const c = report.codemod!;
    expect(c.done).toBe(3);
    expect(c.handedOff).toEqual([
      { file: "src/hard-1.js", reason: "uses dynamic dispatch" },
      { file: "src/hard-2.js", reason: "uses dynamic dispatch" },
    ]);
    expect(c.failed.map((f) => f.file)).toEqual(["src/throw-1.js"]);
    expect(c.failed[0]!.reason).toBe("Error: cannot handle src/throw-1.js");
    expect(c.failed[0]!.frame).toContain("half.mjs");
    expect(report.counts.succeeded).toBe(12);
    expect(cli.stdout).toMatch(/codemod: 3 file\(s\) done without the model, 2 handed off, 1 failed/);
    expect(reportMd).toContain("## Codemod");
    expect(reportMd).toMatch(/`src\/throw-1\.js` \| Error: cannot handle src\/throw-1\.js \| `at .*half\.mjs/);
  });
});

describe("swarm estimate --codemod", () => {
  it("runs a TypeScript codemod in a dry pass and prices only the files that reach the model", async () => {
    server.reset();
    const before = await repo.snapshot();
    const cli = await runMain(["estimate", repo.dir, "-i", "use const", "--roles", "refactor", "--codemod", path.join(dir, "half.ts"), "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { estimate: { byRole: { refactor: { tasks: number } } } };
    expect(out.estimate.byRole.refactor.tasks).toBe(TO_MODEL.length);
    expect(server.requests).toHaveLength(0);
    expect(await repo.snapshot()).toEqual(before);
  });
});

describe("a codemod run drained and resumed", () => {
  it("never asks for the codemod's files, asks each handed-off file once, and its steps take no step budget", async () => {
    const resumable = await gitRepo(TREE);
    try {
      server.reset();
      const drain = new AbortController();
      const options = {
        repo: resumable.dir,
        // Three steps for three model tasks: the codemod's three decided steps must not count against maxSteps.
        overrides: { instruction: "use const", baseURL: server.url, roles: ["refactor" as const], concurrency: 1, maxSteps: 3, codemod: path.join(dir, "half.mjs") },
        needsInstruction: true,
        providerFor: (config: ResolvedConfig) => createOpenAIProvider({ baseURL: config.provider.baseURL, apiKey: "sk-test-codemod-resume-0123456789", apiKeyEnv: "MOONSHOT_API_KEY", supportsThinking: false }),
        abort: new AbortController().signal,
      };
      const first = await runSwarm({ ...options, drain: drain.signal, subscribers: [(e) => (e.type === "task.finished" ? drain.abort() : undefined)] });
      expect(first.stoppedBy).toBe("interrupt");
      expect(first.counts.succeeded).toBe(4);
      const second = await runSwarm({ ...options, resume: first.runId, drain: new AbortController().signal, subscribers: [] });
      expect(second.stoppedBy).toBe("completed");
      expect(second.counts.succeeded).toBe(6);
      const asked = server.requests.filter((r) => r.role === "refactor").map((r) => r.file).sort();
      expect(asked).toEqual(TO_MODEL);
      const subjects = (await resumable.git("log", "--reverse", "--format=%s", `main..${second.branch}`)).trim().split("\n");
      expect(subjects).toEqual(["swarm(codemod): use const", "swarm(refactor): use const"]);
    } finally {
      await resumable.cleanup();
    }
  }, 60_000);
});

describe("a sharded run with a codemod, merged", () => {
  it("takes --codemod on swarm merge and lands the codemod's files in their own commit there too", async () => {
    const sharded = await gitRepo(TREE);
    try {
      server.reset();
      const out = tempDir("swarm-codemod-shards-");
      const common = ["-i", "use const", "--roles", "refactor", "--codemod", path.join(dir, "half.mjs"), "--base-url", server.url];
      for (const k of [1, 2]) {
        const shard = await runMain(["run", sharded.dir, ...common, "--shard", `${k}/2`, "--bundle-out", path.join(out, `${k}.swarm`)]);
        expect(shard.code, shard.stderr).toBe(0);
      }
      const merged = await runMain(["merge", path.join(out, "1.swarm"), path.join(out, "2.swarm"), "-C", sharded.dir, ...common, "--branch", "swarm/merged"]);
      expect(merged.code, merged.stderr).toBe(0);
      expect(server.requests.filter((r) => r.role === "refactor").map((r) => r.file).sort()).toEqual(TO_MODEL);
      const shas = (await sharded.git("log", "--reverse", "--format=%H", "main..swarm/merged")).trim().split("\n");
      const subjectOf = async (sha: string) => (await sharded.git("log", "-1", "--format=%s", sha)).trim();
      const filesOf = async (sha: string) => (await sharded.git("show", "--name-only", "--format=", sha)).trim().split("\n").sort();
      expect(await Promise.all(shas.map(subjectOf))).toEqual(["swarm(codemod): use const", "swarm(refactor): use const"]);
      expect(await filesOf(shas[0]!)).toEqual(["src/easy-1.js", "src/easy-2.js", "src/easy-3.js"]);
      expect(await filesOf(shas[1]!)).toEqual(TO_MODEL);
      const reportPath = /(\S+report\.json)/.exec(merged.stdout)![1]!;
      const report = JSON.parse(await readFile(reportPath, "utf8")) as Report;
      expect(report.codemod?.done).toBe(3);
      expect(report.shards?.merged).toHaveLength(2);
    } finally {
      await sharded.cleanup();
    }
  }, 120_000);

  it("keeps a built-in's files in one shard: a rename whose importer would fall in another shard lands whole", async () => {
    const sharded = await gitRepo(TREE);
    try {
      server.reset();
      const out = tempDir("swarm-codemod-shards-");
      // hard-1.js declares h1 and easy-1.js imports it: without grouping the partition puts them in different shards.
      const common = ["--roles", "refactor", "--codemod", "rename-export:src/hard-1.js#h1=hOne", "--base-url", server.url];
      for (const k of [1, 2, 3]) {
        const shard = await runMain(["run", sharded.dir, ...common, "--shard", `${k}/3`, "--bundle-out", path.join(out, `${k}.swarm`)]);
        expect(shard.code, shard.stdout).toBe(0);
      }
      const merged = await runMain(["merge", ...[1, 2, 3].map((k) => path.join(out, `${k}.swarm`)), "-C", sharded.dir, ...common, "--branch", "swarm/merged"]);
      expect(merged.code, merged.stdout).toBe(0);
      // No repair was asked for: each shard saw the whole rename.
      expect(server.requests.filter((r) => r.file !== undefined)).toEqual([]);
      expect(await sharded.git("show", "swarm/merged:src/hard-1.js")).toBe("export var hOne = 1;");
      expect(await sharded.git("show", "swarm/merged:src/easy-1.js")).toBe('import { hOne } from "./hard-1.js";\nexport var e1 = hOne + 1;');
    } finally {
      await sharded.cleanup();
    }
  }, 120_000);
});
