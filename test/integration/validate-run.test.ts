import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedConfig } from "../../src/config/schema.js";
import type { StepRecord } from "../../src/core/types.js";
import { EventBus } from "../../src/events/bus.js";
import type { Problem, SwarmEvent } from "../../src/events/types.js";
import { headTree, readHeadFiles } from "../../src/git/head.js";
import { isParsablePath } from "../../src/graph/parse-imports.js";
import { createOpenAIProvider } from "../../src/llm/openai-provider.js";
import { runSwarm } from "../../src/pipeline.js";
import { prepareRun } from "../../src/prepare/index.js";
import type { Report } from "../../src/report/types.js";
import { checkChanges, computeBaseline } from "../../src/validate/baseline.js";
import { createRepairSession } from "../../src/validate/repair.js";
import { FIXTURES_DIR, gitRepo, tempDir, type FixtureName, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type ParsedRequest, type LoopbackServer } from "../support/loopback-server.js";

// Issue 4, the validate stage in a whole run: real openai SDK → loopback server → real git. The server
// breaks imports on purpose in some refactor answers, repairs some of them when asked (`Role: repair`)
// and refuses others; the branch must end up without any problem the run introduced.

const INSTRUCTION = "Tidy up the module";

interface Run {
  repo: TempRepo;
  server: LoopbackServer;
  events: SwarmEvent[];
  report: Report;
  journal: StepRecord[];
}

let configDir: string;
beforeAll(() => {
  configDir = tempDir("swarm-validate-config-");
});

type Answer = (req: ParsedRequest) => string | undefined;

async function runOn(fixture: FixtureName, answer: Answer, config: Record<string, unknown>): Promise<Run> {
  const repo = await gitRepo(fixture);
  const server = await startLoopbackServer({ answer });
  const configPath = path.join(configDir, `${fixture}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(configPath, JSON.stringify({ concurrency: 8, retry: { attempts: 2, baseMs: 1, maxMs: 5 }, ...config }));
  const events: SwarmEvent[] = [];
  try {
    const summary = await runSwarm({
      repo: repo.dir,
      configPath,
      overrides: { instruction: INSTRUCTION, baseURL: server.url },
      needsInstruction: true,
      providerFor: (c: ResolvedConfig) => createOpenAIProvider({ baseURL: c.provider.baseURL, apiKey: "sk-test-validate", apiKeyEnv: "MOONSHOT_API_KEY", supportsThinking: false }),
      subscribers: [(e) => events.push(e)],
      drain: new AbortController().signal,
      abort: new AbortController().signal,
      random: () => 0.5,
    });
    const report = JSON.parse(await readFile(summary.reportJson, "utf8")) as Report;
    const journalText = await readFile(path.join(summary.runDir, "journal.jsonl"), "utf8");
    const journal = journalText.split("\n").filter(Boolean).map((l) => JSON.parse(l) as StepRecord);
    return { repo, server, events, report, journal };
  } finally {
    await server.close();
  }
}

/** The text of every parsable or JSON file at `rev`, and the other paths. */
async function treeAt(repo: TempRepo, rev: string) {
  const paths = (await headTree(repo.dir, rev)).map((e) => e.path);
  const wanted = paths.filter((p) => isParsablePath(p) || p.endsWith(".json"));
  const files = await readHeadFiles(repo.dir, wanted, rev);
  return { files, otherPaths: paths.filter((p) => !files.has(p)) };
}

/** Re-runs the checks on the branch tree against main: what the run left broken. */
async function problemsOnBranch(repo: TempRepo, branch: string): Promise<Problem[]> {
  const [head, tip] = await Promise.all([treeAt(repo, "main"), treeAt(repo, branch)]);
  const baseline = computeBaseline(head.files, { otherPaths: head.otherPaths });
  const removed = [...head.files.keys()].filter((p) => !tip.files.has(p));
  return checkChanges(baseline, { written: tip.files, removed }).problems;
}

const fixtureText = (fixture: FixtureName, file: string) => readFile(path.join(FIXTURES_DIR, fixture, file), "utf8");
const subjects = async (run: Run) => (await run.repo.git("log", "--format=%s", `main..${run.report.branch}`)).split("\n").reverse();
const showAt = (run: Run, file: string) => run.repo.git("show", `${run.report.branch}:${file}`);
const ofType = <K extends SwarmEvent["type"]>(run: Run, type: K) => run.events.filter((e): e is Extract<SwarmEvent, { type: K }> => e.type === type);
const lastMessage = (req: { messages: { content?: unknown }[] }) => String(req.messages.at(-1)?.content ?? "");
const allText = (req: { messages: { content?: unknown }[] }) => req.messages.map((m) => String(m.content ?? "")).join("\n");
const task = (run: Run, id: string) => run.report.tasks.find((t) => t.id === id)!;

describe("express-api (CommonJS): a renamed export and a wrong require path", () => {
  let run: Run;
  let httpErrorAtHead: string;
  beforeAll(async () => {
    httpErrorAtHead = await fixtureText("express-api", "src/utils/http-error.js");
    run = await runOn(
      "express-api",
      (req) => {
        if (req.role === "refactor" && req.file === "src/utils/http-error.js") return req.source!.replaceAll("notFound", "notFoundError");
        if (req.role === "refactor" && req.file === "src/services/orders.js") return req.source!.replace("require('../utils/async')", "require('../utils/asynk')");
        // The exporter's repair restores the name; the importer's repair is refused (same broken file back).
        if (req.role === "repair" && req.file === "src/utils/http-error.js") return `// repaired\n${httpErrorAtHead}`;
        if (req.role === "repair") return req.source;
        return undefined;
      },
      { roles: ["refactor"] },
    );
  });
  afterAll(() => run.repo.cleanup());

  it("finds every injected break and blames the right task, naming both sides", () => {
    const problems = run.report.validation!.problems;
    const renamed = problems.filter((p) => p.code === "missing-export" && p.message.includes('"notFound"'));
    // Every file requiring notFound from http-error shows it, each blamed on the exporter's edit.
    expect(renamed.map((p) => p.file).sort()).toEqual([
      "src/middleware/errors.js",
      "src/services/inventory.js",
      "src/services/orders.js",
      "src/services/products.js",
      "src/services/users.js",
    ]);
    for (const p of renamed) {
      expect(p.target).toBe("src/utils/http-error.js");
      expect(p.blame).toBe("refactor:src/utils/http-error.js");
    }
    const unresolved = problems.filter((p) => p.code === "unresolved-import");
    expect(unresolved).toEqual([
      expect.objectContaining({ file: "src/services/orders.js", line: 4, blame: "refactor:src/services/orders.js" }),
    ]);
    expect(problems).toHaveLength(renamed.length + unresolved.length);
    expect(ofType(run, "validate.problem").map((e) => e.problem)).toEqual(problems);
  });

  it("sends one repair step per blamed task, with the problems and the other side", () => {
    const repairs = run.server.requests.filter((r) => r.role === "repair");
    const exporter = repairs.filter((r) => r.file === "src/utils/http-error.js");
    expect(exporter).toHaveLength(1);
    expect(lastMessage(exporter[0]!)).toMatch(/^Role: repair\nFile: src\/utils\/http-error\.js\nOutput: src\/utils\/http-error\.js\n/);
    expect(lastMessage(exporter[0]!)).toContain('src/services/orders.js:5 imports from this file: "../utils/http-error" has no export named "notFound"');
    expect(allText(exporter[0]!)).toContain("Files that import src/utils/http-error.js, and what they take from it:");
    expect(allText(exporter[0]!)).toMatch(/- src\/middleware\/errors\.js:\d+ imports \{ HttpError, notFound \}/);
    // The importer is asked twice (maxRepairs 2), and is shown what the file it no longer reaches exports.
    const importer = repairs.filter((r) => r.file === "src/services/orders.js");
    expect(importer).toHaveLength(2);
    expect(lastMessage(importer[0]!)).toContain("Cannot resolve \"../utils/asynk\"");
    expect(allText(importer[0]!)).toContain("What src/utils/async.js exports now:");
  });

  it("records repairs and the revert in the report and the events", () => {
    const v = run.report.validation!;
    expect(v.repairs.map((r) => [r.file, r.round, r.fixed])).toEqual([
      ["src/utils/http-error.js", 1, true],
      ["src/services/orders.js", 1, false],
      ["src/services/orders.js", 2, false],
    ]);
    expect(v.repairs[0]!.problems).toHaveLength(5);
    expect(v.reverts).toEqual([
      { taskId: "refactor:src/services/orders.js", file: "src/services/orders.js", problems: [expect.objectContaining({ code: "unresolved-import" })] },
    ]);
    expect(ofType(run, "validate.repair")).toHaveLength(3);
    expect(ofType(run, "validate.revert").map((e) => e.taskId)).toEqual(["refactor:src/services/orders.js"]);
    expect(ofType(run, "validate.finished")).toEqual([expect.objectContaining({ problems: 6, repaired: 1, reverted: 1 })]);
    const reverted = task(run, "refactor:src/services/orders.js");
    expect(reverted.status).toBe("failed");
    expect(reverted.error).toEqual({ code: "reverted", message: expect.stringContaining("unresolved-import") });
    expect(task(run, "refactor:src/utils/http-error.js").status).toBe("succeeded");
  });

  it("report.md shows each problem with both sides and the task to blame, the repairs and the revert", async () => {
    const md = await readFile(path.join(path.dirname(run.report.repo), path.basename(run.report.repo), ".swarm", "runs", run.report.runId, "report.md"), "utf8");
    const section = md.slice(md.indexOf("## Validation"));
    expect(section).toContain("6 problem(s) introduced by the run · 3 repair round(s), 1 fixed · 1 file(s) reverted");
    expect(section).toContain('| `src/services/users.js:7` | `missing-export` | "../utils/http-error" has no export named "notFound" | `src/utils/http-error.js` | `refactor:src/utils/http-error.js` |');
    expect(section).toContain("- `src/utils/http-error.js` round 1: fixed (5 problem(s))");
    expect(section).toContain("- `src/services/orders.js` (`refactor:src/services/orders.js`): `unresolved-import`");
  });

  it("journals repair steps like any other step and counts them in tokens and the estimate table", () => {
    const repairSteps = run.journal.filter((s) => s.kind === "repair");
    expect(repairSteps).toHaveLength(3);
    expect(repairSteps.every((s) => s.ok && s.final && s.usage.inputTokens > 0)).toBe(true);
    expect(run.report.estimateVsActual!.find((r) => r.role === "repair")?.actual.input).toBe(
      repairSteps.reduce((sum, s) => sum + s.usage.inputTokens, 0),
    );
    const stepsOfHttpError = run.journal.filter((s) => s.taskId === "refactor:src/utils/http-error.js");
    expect(task(run, "refactor:src/utils/http-error.js").inputTokens).toBe(stepsOfHttpError.reduce((sum, s) => sum + s.usage.inputTokens, 0));
    // No task events for repairs: every task finished exactly once.
    expect(ofType(run, "task.finished").filter((e) => e.taskId === "refactor:src/utils/http-error.js")).toHaveLength(1);
  });

  it("commits the repaired file in its role's commit, so no commit carries the break; the reverted file stays as at HEAD", async () => {
    expect(await subjects(run)).toEqual([`swarm(refactor): ${INSTRUCTION}`]);
    expect(await run.repo.git("log", "--format=%B", "-1", run.report.branch!)).toContain("- src/utils/http-error.js (repaired)");
    expect(await showAt(run, "src/utils/http-error.js")).toBe(`// repaired\n${httpErrorAtHead}`.replace(/\n$/, ""));
    expect(await showAt(run, "src/services/orders.js")).toBe((await fixtureText("express-api", "src/services/orders.js")).replace(/\n$/, ""));
    expect(run.report.commits.map((c) => c.role)).toEqual(["refactor"]);
  });

  it("leaves no introduced problem on the branch", async () => {
    expect(await problemsOnBranch(run.repo, run.report.branch!)).toEqual([]);
  });

  it("on resume, journaled repair steps are replayed, never sent again", async () => {
    const server = await startLoopbackServer({});
    try {
      const bus = new EventBus("resumed");
      const appended: StepRecord[] = [];
      const config = (await prepareRun({ repo: run.repo.dir, overrides: { instruction: INSTRUCTION }, needsInstruction: true })).config;
      const session = createRepairSession({
        provider: createOpenAIProvider({ baseURL: server.url, apiKey: "sk-test-validate", apiKeyEnv: "MOONSHOT_API_KEY", supportsThinking: false }),
        bus,
        journal: { append: async (r) => void appended.push(r) },
        settings: config,
        costUSD: () => 0,
        drain: new AbortController().signal,
        abort: new AbortController().signal,
        requestFor: (t, messages) => ({ request: { model: "m", messages, maxOutputTokens: 100 }, estimatedUSD: 0 }),
        spent: { steps: 0, costUSD: 0 },
        prior: run.journal,
      });
      const refactor = (file: string) => ({ id: `refactor:${file}`, role: "refactor" as const, file, output: file, dependsOn: [], bytes: 1 });
      const messages = [{ role: "user" as const, content: "unused: replayed" }];
      const round1 = await session.run([{ task: refactor("src/utils/http-error.js"), messages }, { task: refactor("src/services/orders.js"), messages }]);
      const round2 = await session.run([{ task: refactor("src/services/orders.js"), messages }]);
      const journaled = run.journal.filter((s) => s.kind === "repair");
      expect(round1.get("refactor:src/utils/http-error.js")!.content).toBe(journaled.find((s) => s.taskId === "refactor:src/utils/http-error.js")!.content);
      expect(round2.get("refactor:src/services/orders.js")!.status).toBe("succeeded");
      expect(server.requests).toHaveLength(0);
      expect(appended).toHaveLength(0);
      expect(session.steps).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});

describe("repairs share the run's budget", () => {
  it("maxSteps counts repair steps: what the budget leaves out is reverted, and the branch stays consistent", async () => {
    const probe = await gitRepo("express-api");
    const tasks = (await prepareRun({ repo: probe.dir, overrides: { instruction: INSTRUCTION, roles: ["refactor"] }, needsInstruction: true })).plan.tasks.length;
    await probe.cleanup();
    const run = await runOn(
      "express-api",
      (req) => {
        if (req.role === "refactor" && req.file === "src/utils/http-error.js") return req.source!.replaceAll("notFound", "notFoundError");
        if (req.role === "refactor" && req.file === "src/services/orders.js") return req.source!.replace("require('../utils/async')", "require('../utils/asynk')");
        if (req.role === "repair" && req.file === "src/utils/http-error.js") return req.source!.replaceAll("notFoundError", "notFound");
        if (req.role === "repair") return req.source!.replace("asynk", "async");
        return undefined;
      },
      // One step more than the plan: the first repair goes out, the second is never sent.
      { roles: ["refactor"], maxSteps: tasks + 1, concurrency: 1 },
    );
    try {
      expect(run.journal.filter((s) => s.kind === "repair")).toHaveLength(1);
      expect(ofType(run, "budget.exhausted")).toEqual([expect.objectContaining({ budget: "steps", limit: tasks + 1 })]);
      const v = run.report.validation!;
      // The repair that was never sent is not listed as one.
      expect(v.repairs.map((r) => [r.file, r.fixed])).toEqual([["src/utils/http-error.js", true]]);
      expect(v.reverts.map((r) => r.taskId)).toEqual(["refactor:src/services/orders.js"]);
      expect(await problemsOnBranch(run.repo, run.report.branch!)).toEqual([]);
    } finally {
      await run.repo.cleanup();
    }
  });
});

describe("ts-lib (ESM TypeScript): removed default, renamed export, wrong path, a bad test, a knock-on revert", () => {
  let run: Run;
  let durationAtHead: string;
  beforeAll(async () => {
    durationAtHead = await fixtureText("ts-lib", "src/duration.ts");
    run = await runOn(
      "ts-lib",
      (req) => {
        const src = req.source ?? "";
        if (req.role === "refactor") {
          switch (req.file) {
            case "src/cache.ts": // removes the default export, adds a new named one
              return src.replace("export default class LruCache", "export class LruCache") + "export const CACHE_VERSION = 2;\n";
            case "src/duration.ts":
              return src.replaceAll("parseDuration(", "parseDurationMs(").replace("function parseDuration ", "function parseDurationMs ");
            case "src/emitter.ts":
              return src.replace('from "./types.js"', 'from "./type.js"');
            case "src/index.ts": // starts using the new export of cache.ts, which is going to be reverted
              return `${src}export { CACHE_VERSION } from "./cache.js";\n`;
          }
          return undefined;
        }
        if (req.role === "test" && req.file === "src/retry.ts") return 'import { retryForever } from "./retry.js";\nexport const t = retryForever;\n';
        if (req.role === "repair") {
          if (req.file === "src/duration.ts") return durationAtHead;
          if (req.file === "src/emitter.ts") return src.replace('from "./type.js"', 'from "./types.js"');
          return src; // refused: cache.ts and the retry test come back unchanged
        }
        // Existing tests are updated, keeping their cases and imports (an overwrite would trip the test guards).
        const existing = req.role === "test" && req.output ? path.join(FIXTURES_DIR, "ts-lib", req.output) : null;
        if (existing && existsSync(existing)) return `// updated\n${readFileSync(existing, "utf8")}`;
        return undefined;
      },
      { roles: ["refactor", "test"], validate: { maxRepairs: 1 } },
    );
  });
  afterAll(() => run.repo.cleanup());

  it("finds and blames every injected break", () => {
    const found = run.report.validation!.problems.map((p) => [p.file, p.code, p.target ?? null, p.blame]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["src/index.ts", "missing-default", "src/cache.ts", "refactor:src/cache.ts"],
        ["src/index.ts", "missing-export", "src/duration.ts", "refactor:src/duration.ts"],
        ["src/emitter.ts", "unresolved-import", null, "refactor:src/emitter.ts"],
        ["src/retry.test.ts", "missing-export", "src/retry.ts", "test:src/retry.ts"],
      ]),
    );
    // The knock-on problem only shows once cache.ts is reverted; it is not a problem of the agents' tree.
    expect(found.some((f) => f[0] === "src/index.ts" && String(f[3]).includes("index"))).toBe(false);
  });

  it("repairs what the server fixes and reverts what it refuses, with the knock-on importer and the refactor's test", () => {
    const v = run.report.validation!;
    expect(v.repairs.filter((r) => r.fixed).map((r) => r.file).sort()).toEqual(["src/duration.ts", "src/emitter.ts"]);
    const reverts = Object.fromEntries(v.reverts.map((r) => [r.taskId, r]));
    expect(Object.keys(reverts).sort()).toEqual([
      "refactor:src/cache.ts",
      "refactor:src/index.ts",
      "test:src/cache.ts",
      "test:src/index.ts",
      "test:src/retry.ts",
    ]);
    // index.ts goes back because, with cache.ts at HEAD, its new re-export points at nothing.
    expect(reverts["refactor:src/index.ts"]!.problems).toEqual([expect.objectContaining({ file: "src/index.ts", message: expect.stringContaining("CACHE_VERSION") })]);
    expect(reverts["test:src/cache.ts"]!.reason).toBe("written from refactor:src/cache.ts, which was reverted");
    expect(reverts["test:src/index.ts"]!.reason).toBe("written from refactor:src/index.ts, which was reverted");
    for (const id of Object.keys(reverts)) expect(task(run, id)).toMatchObject({ status: "failed", error: { code: "reverted" } });
    expect(v.remaining).toBeUndefined();
  });

  it("keeps HEAD's content for reverted files and the repaired content for repaired ones", async () => {
    for (const file of ["src/cache.ts", "src/index.ts", "src/cache.test.ts", "src/retry.test.ts"]) {
      expect(await showAt(run, file)).toBe((await fixtureText("ts-lib", file)).replace(/\n$/, ""));
    }
    expect(await showAt(run, "src/duration.ts")).toBe(durationAtHead.replace(/\n$/, ""));
    expect(await showAt(run, "src/emitter.ts")).toContain('from "./types.js"');
    expect(await subjects(run)).toEqual([`swarm(refactor): ${INSTRUCTION}`, `swarm(test): ${INSTRUCTION}`]);
  });

  it("leaves no introduced problem on the branch (graph and compiler checks)", async () => {
    expect(await problemsOnBranch(run.repo, run.report.branch!)).toEqual([]);
  });
});

describe("untouched fixtures", () => {
  for (const fixture of ["express-api", "ts-lib"] as const) {
    it(`${fixture}: refactor answers that change nothing give nothing to check`, async () => {
      const run = await runOn(fixture, (req) => (req.role === "refactor" ? req.source : undefined), { roles: ["refactor"] });
      try {
        expect(run.report.validation).toMatchObject({ problems: [], repairs: [], reverts: [] });
        expect(ofType(run, "validate.started")).toEqual([expect.objectContaining({ files: 0 })]);
      } finally {
        await run.repo.cleanup();
      }
    });
  }

  // The server's default answers change every file (a marker comment) and keep every import: everything is checked, nothing is found.
  for (const [fixture, roles] of [["express-api", ["refactor"]], ["ts-lib", ["refactor", "test", "doc"]]] as const) {
    it(`${fixture}: every file changed, imports intact: no problem, no repair, one commit per role`, async () => {
      // An existing test is updated, not overwritten: its cases and its import of the module stay (the
      // default answer would replace it with the source, which the test guards flag).
      const existingTest = (req: ParsedRequest) => {
        const file = req.role === "test" && req.output ? path.join(FIXTURES_DIR, fixture, req.output) : null;
        return file && existsSync(file) ? `// updated\n${readFileSync(file, "utf8")}` : undefined;
      };
      const run = await runOn(fixture, existingTest, { roles });
      try {
        const checked = ofType(run, "validate.started")[0]!.files;
        expect(checked).toBe(run.report.tasks.filter((t) => t.role !== "doc" && t.changed).length);
        expect(checked).toBeGreaterThan(10);
        expect(run.report.validation).toMatchObject({ problems: [], repairs: [], reverts: [] });
        expect(run.server.requests.some((r) => r.role === "repair")).toBe(false);
        expect(await subjects(run)).toEqual(roles.map((r) => `swarm(${r}): ${INSTRUCTION}`));
      } finally {
        await run.repo.cleanup();
      }
    });
  }
});

describe("context in refactor prompts", () => {
  it("carries the imports' signatures, new ones under dependencies-first, and the estimate counts them", async () => {
    const run = await runOn(
      "ts-lib",
      (req) => (req.role === "refactor" && req.file === "src/duration.ts" ? `${req.source}export function addedByRefactor(): void {}\n` : undefined),
      { roles: ["refactor"], order: "dependencies-first" },
    );
    try {
      const retry = run.server.requests.find((r) => r.role === "refactor" && r.file === "src/retry.ts")!;
      expect(retry.messages).toHaveLength(4);
      const context = String(retry.messages[2]!.content);
      expect(context).toContain("Exported signatures of files that src/retry.ts imports");
      expect(context).toContain("src/duration.ts:\n```ts\n");
      expect(context).toContain("export function toMs(value: string | number): number;");
      // retry.ts waited for duration.ts, so it sees the refactored shape; no bodies are sent.
      expect(context).toContain("export function addedByRefactor(): void;");
      expect(context).not.toContain("UNIT_MS");
      const durationTask = run.report.tasks.findIndex((t) => t.id === "refactor:src/duration.ts");
      expect(durationTask).toBeGreaterThanOrEqual(0);
    } finally {
      await run.repo.cleanup();
    }
  });

  it("prepareRun's estimate includes the context, and context.maxTokens 0 turns it off", async () => {
    const repo = await gitRepo("ts-lib");
    try {
      const withContext = path.join(configDir, "ctx-on.json");
      const without = path.join(configDir, "ctx-off.json");
      await writeFile(withContext, JSON.stringify({ roles: ["refactor"] }));
      await writeFile(without, JSON.stringify({ roles: ["refactor"], context: { maxTokens: 0 } }));
      const on = await prepareRun({ repo: repo.dir, configPath: withContext, overrides: { instruction: INSTRUCTION }, needsInstruction: true });
      const off = await prepareRun({ repo: repo.dir, configPath: without, overrides: { instruction: INSTRUCTION }, needsInstruction: true });
      expect(on.estimate.total.inputTokens).toBeGreaterThan(off.estimate.total.inputTokens + 200);
      expect(on.baseline?.problems).toEqual([]);
    } finally {
      await repo.cleanup();
    }
  });
});
