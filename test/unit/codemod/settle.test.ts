import { describe, expect, it } from "vitest";
import { settleCodemod } from "../../../src/codemod/records.js";
import type { CodemodPass } from "../../../src/codemod/types.js";
import type { Plan, Task, TaskId, TaskResult } from "../../../src/core/types.js";
import { EventBus } from "../../../src/events/bus.js";
import { computeBaseline } from "../../../src/validate/baseline.js";
import { validateChanges } from "../../../src/validate/validate-run.js";

// A built-in's changes outside the plan (a moved file's old and new path) go through validation, and a built-in
// lands whole or not at all.

const HEAD: Record<string, string> = {
  "package.json": JSON.stringify({ name: "demo", type: "module" }),
  "src/extra.js": "export const extra = 1;\n",
  "src/leaf.js": 'import { extra } from "./extra.js";\nexport const leaf = extra;\n',
  "src/other.js": "export const other = 2;\n",
};
const baseline = computeBaseline(new Map(Object.entries(HEAD)));
const task = (file: string): Task => ({ id: `refactor:${file}`, role: "refactor", file, output: file, dependsOn: [], bytes: 10 });
const TASKS = [task("src/extra.js"), task("src/leaf.js"), task("src/other.js")];
const PLAN: Plan = { version: 1, roles: ["refactor"], tasks: TASKS, files: [], skips: [] };

function results(changes: Record<string, string>): Map<TaskId, TaskResult> {
  return new Map(TASKS.map((t) => [t.id, {
    id: t.id, role: t.role, file: t.file, output: t.output, status: "succeeded", attempts: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, latencyMs: 0, wallMs: 0,
    content: changes[t.output] ?? HEAD[t.output]!, changed: changes[t.output] !== undefined,
  } satisfies TaskResult]));
}

const validate = (changes: Record<string, string>, extra: { written: Map<string, string>; removed: string[] }) =>
  validateChanges({ baseline, plan: PLAN, results: results(changes), bus: new EventBus("t"), maxRepairs: 0, prompt: { instruction: "", conventions: "", maxContextTokens: 0, countTokens: (t) => t.length }, isChange: () => true, extra });

const moved = { written: new Map([["src/lib/extra.js", HEAD["src/extra.js"]!]]), removed: ["src/extra.js"] };

describe("validation of changes no task owns", () => {
  it("sees a move's new path and its deleted old one", async () => {
    const ok = await validate({ "src/leaf.js": 'import { extra } from "./lib/extra.js";\nexport const leaf = extra;\n' }, moved);
    expect(ok.validation.problems).toEqual([]);
    expect(ok.unownedBroken).toBeUndefined();
    // The importer left pointing at the deleted path: a problem no task's revert settles.
    const broken = await validate({}, moved);
    expect(broken.validation.problems.map((p) => p.file)).toEqual(["src/leaf.js"]);
    expect(broken.unownedBroken).toEqual(["src/leaf.js"]);
  });
});

describe("settleCodemod", () => {
  const pass = (atomic: boolean): CodemodPass => ({
    spec: "move-file:src/extra.js=src/lib/extra.js", extra: [], problems: [], atomic,
    files: new Map(TASKS.map((t) => [t.file, { status: "done" as const, content: "", changed: t.file !== "src/other.js" }])),
  });
  const reverted = () => {
    const r = results({ "src/leaf.js": "x\n", "src/extra.js": "y\n" });
    r.set("refactor:src/extra.js", { ...r.get("refactor:src/extra.js")!, status: "failed", error: { code: "reverted", message: "reverted by validation" }, content: undefined, changed: undefined });
    return r;
  };

  it("reverts every file a built-in changed, and its changes outside the plan, when one of them was reverted", () => {
    const { results: settled, keepsExtra } = settleCodemod(pass(true), PLAN, reverted());
    expect(keepsExtra).toBe(false);
    expect(settled.get("refactor:src/leaf.js")).toMatchObject({ status: "failed", error: { code: "reverted", message: expect.stringContaining("lands whole or not at all, and refactor:src/extra.js did not pass") } });
    expect(settled.get("refactor:src/other.js")?.status).toBe("succeeded");
    expect(settleCodemod(pass(true), PLAN, results({ "src/leaf.js": "x\n" }), ["src/leaf.js"]).keepsExtra).toBe(false);
  });

  it("reverts the tests and docs written from a reverted built-in's content, and the test its edit reached", () => {
    const testOf = (file: string, output: string): Task => ({ id: `test:${file}`, role: "test", file, output, dependsOn: [`refactor:${file}`], bytes: 10 });
    const tests = [testOf("src/leaf.js", "src/leaf.test.js"), testOf("src/other.js", "src/other.test.js"), { ...testOf("src/extra.js", "test/extra.test.js"), dependsOn: [] }];
    const plan: Plan = { ...PLAN, roles: ["refactor", "test"], tasks: [...TASKS, ...tests] };
    const all = reverted();
    for (const t of tests) all.set(t.id, { ...all.get("refactor:src/other.js")!, id: t.id, role: "test", file: t.file, output: t.output, content: "t\n", changed: true });
    const withExtra = { ...pass(true), extra: [{ path: "test/extra.test.js", content: "renamed\n" }] };
    const { results: settled } = settleCodemod(withExtra, plan, all);
    expect(settled.get("test:src/leaf.js")).toMatchObject({ status: "failed", error: { code: "reverted", message: expect.stringContaining("written from refactor:src/leaf.js") } });
    expect(settled.get("test:src/extra.js")).toMatchObject({ status: "failed", error: { code: "reverted" } });
    expect(settled.get("test:src/other.js")?.status).toBe("succeeded");
  });

  it("leaves a user codemod's files to stand or fall one by one", () => {
    const before = reverted();
    expect(settleCodemod(pass(false), PLAN, before)).toEqual({ results: before, keepsExtra: true });
  });
});
