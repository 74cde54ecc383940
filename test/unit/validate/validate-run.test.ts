import { describe, expect, it } from "vitest";
import type { Plan, Role, Task, TaskId, TaskResult } from "../../../src/core/types.js";
import { EventBus } from "../../../src/events/bus.js";
import type { SwarmEvent } from "../../../src/events/types.js";
import { computeBaseline } from "../../../src/validate/baseline.js";
import type { RepairAnswer, RepairRequest, RepairRunner } from "../../../src/validate/repair.js";
import { validateChanges, type ValidateChangesInput } from "../../../src/validate/validate-run.js";

// validateChanges over in-memory snapshots: the checks are the real ones, the repair runner is a plain
// function standing in for the engine pass (no HTTP here; the integration test drives the real one).

const HEAD: Record<string, string> = {
  "package.json": JSON.stringify({ name: "demo", type: "module" }),
  "src/lib.js": "export function used() {}\nexport function other() {}\n",
  "src/app.js": 'import { used } from "./lib.js";\nused();\n',
  "src/extra.js": "export const extra = 1;\n",
  "src/leaf.js": 'import { extra } from "./extra.js";\nexport const leaf = extra;\n',
  "test/lib.test.js": 'import { other } from "../src/lib.js";\nother();\n',
};

const baseline = computeBaseline(new Map(Object.entries(HEAD)));

function task(role: Role, file: string, output = file, dependsOn: TaskId[] = []): Task {
  return { id: `${role}:${file}`, role, file, output, dependsOn, bytes: 10 };
}

const TASKS: Task[] = [
  task("refactor", "src/lib.js"),
  task("refactor", "src/app.js"),
  task("refactor", "src/extra.js"),
  task("refactor", "src/leaf.js"),
  task("test", "src/lib.js", "test/lib.test.js", ["refactor:src/lib.js"]),
  task("doc", "src/lib.js", "docs/src/lib.js.md", ["refactor:src/lib.js"]),
];
const PLAN: Plan = { version: 1, roles: ["refactor", "test", "doc"], tasks: TASKS, files: [], skips: [] };

/** Results where the given outputs hold new content and every other task succeeded unchanged. */
function resultsWith(changes: Record<string, string>): Map<TaskId, TaskResult> {
  return new Map(
    TASKS.map((t) => {
      const content = changes[t.output];
      const r: TaskResult = {
        id: t.id, role: t.role, file: t.file, output: t.output, status: "succeeded", attempts: 1,
        inputTokens: 100, cachedInputTokens: 0, outputTokens: 50, latencyMs: 10, wallMs: 10,
        content: content ?? HEAD[t.output] ?? "", changed: content !== undefined,
      };
      return [t.id, r];
    }),
  );
}

/** A runner answering each request from a table by output path; "refuse" returns the file as it came. */
function runner(answers: Record<string, string | "refuse" | "fail">, calls: RepairRequest[][] = []): RepairRunner {
  return async (requests) => {
    calls.push([...requests]);
    const out = new Map<TaskId, RepairAnswer>();
    for (const r of requests) {
      const a = answers[r.task.output] ?? "refuse";
      const usage = { inputTokens: 20, cachedInputTokens: 5, outputTokens: 10 };
      if (a === "fail") out.set(r.task.id, { status: "failed", error: { code: "no-code-block", message: "no block" }, usage, latencyMs: 3, steps: 2 });
      else {
        const current = /```js\n([\s\S]*?)```\s*$/.exec(String(r.messages.at(-1)!.content))![1]!;
        out.set(r.task.id, { status: "succeeded", content: a === "refuse" ? current : a, usage, latencyMs: 3, steps: 1 });
      }
    }
    return out;
  };
}

async function validate(changes: Record<string, string>, over: Partial<ValidateChangesInput> = {}) {
  const bus = new EventBus("run-1");
  const events: SwarmEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const outcome = await validateChanges({
    baseline,
    plan: PLAN,
    results: resultsWith(changes),
    bus,
    maxRepairs: 2,
    prompt: { instruction: "do it", conventions: "", maxContextTokens: 500, countTokens: (t) => Math.ceil(t.length / 4) },
    isChange: (t, content) => content !== (HEAD[t.output] ?? ""),
    ...over,
  });
  return { ...outcome, events, types: events.map((e) => e.type) };
}

const RENAMED_LIB = "export function usedRenamed() {}\nexport function other() {}\n";

describe("validateChanges", () => {
  it("no changes: nothing checked, nothing found, and the events say so", async () => {
    const out = await validate({});
    expect(out.validation).toEqual({ problems: [], repairs: [], reverts: [] });
    expect(out.types).toEqual(["validate.started", "validate.finished"]);
    expect(out.events[0]).toMatchObject({ files: 0 });
  });

  it("checks only code and JSON outputs: a doc is not a file of the graph", async () => {
    const out = await validate({ "docs/src/lib.js.md": "# lib\n", "src/app.js": `// tidy\n${HEAD["src/app.js"]}` });
    expect(out.events[0]).toMatchObject({ type: "validate.started", files: 1 });
    expect(out.validation.problems).toEqual([]);
  });

  it("a renamed export is blamed on the exporter, repaired in round 1, and the fix becomes the task's content", async () => {
    const calls: RepairRequest[][] = [];
    const fixed = `// fixed\n${HEAD["src/lib.js"]}`;
    const out = await validate({ "src/lib.js": RENAMED_LIB }, { repair: runner({ "src/lib.js": fixed }, calls) });
    expect(out.validation.problems).toEqual([
      expect.objectContaining({ file: "src/app.js", code: "missing-export", target: "src/lib.js", blame: "refactor:src/lib.js", name: "used" }),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((r) => r.task.id)).toEqual(["refactor:src/lib.js"]);
    expect(out.validation.repairs).toEqual([{ taskId: "refactor:src/lib.js", file: "src/lib.js", round: 1, problems: out.validation.problems, fixed: true }]);
    expect(out.validation.reverts).toEqual([]);
    const lib = out.results.get("refactor:src/lib.js")!;
    expect(lib).toMatchObject({ status: "succeeded", content: fixed, changed: true, inputTokens: 120, cachedInputTokens: 5, outputTokens: 60, latencyMs: 13 });
    expect(out.replaced).toEqual(new Map([["refactor:src/lib.js", RENAMED_LIB]]));
    expect(out.types).toEqual(["validate.started", "validate.problem", "validate.repair", "validate.finished"]);
    expect(out.events.at(-1)).toMatchObject({ problems: 1, repaired: 1, reverted: 0 });
  });

  it("a repair back to HEAD's exact text leaves the task unchanged", async () => {
    const out = await validate({ "src/lib.js": RENAMED_LIB }, { repair: runner({ "src/lib.js": HEAD["src/lib.js"]! }) });
    expect(out.results.get("refactor:src/lib.js")).toMatchObject({ status: "succeeded", changed: false });
    expect(out.replaced.get("refactor:src/lib.js")).toBe(RENAMED_LIB);
  });

  it("a refused repair is asked maxRepairs times, then the file is reverted and its task fails as reverted", async () => {
    const calls: RepairRequest[][] = [];
    const broken = 'import { used } from "./lbi.js";\nused();\n';
    const out = await validate({ "src/app.js": broken }, { repair: runner({}, calls) });
    expect(calls).toHaveLength(2);
    expect(out.validation.repairs.map((r) => [r.round, r.fixed])).toEqual([[1, false], [2, false]]);
    expect(out.validation.reverts).toEqual([
      { taskId: "refactor:src/app.js", file: "src/app.js", problems: [expect.objectContaining({ code: "unresolved-import", blame: "refactor:src/app.js" })] },
    ]);
    const app = out.results.get("refactor:src/app.js")!;
    expect(app.status).toBe("failed");
    expect(app.error).toEqual({ code: "reverted", message: expect.stringMatching(/^reverted by validation: 1 problem\(s\) left after repair \(src\/app\.js:1 unresolved-import/) });
    expect(app.content).toBeUndefined();
    expect(out.replaced.size).toBe(0);
    expect(out.types.filter((t) => t.startsWith("validate."))).toEqual([
      "validate.started", "validate.problem", "validate.repair", "validate.repair", "validate.revert", "validate.finished",
    ]);
  });

  it("a failed repair step counts as not fixed; maxRepairs 0 or no runner reverts at once", async () => {
    const failing = await validate({ "src/lib.js": RENAMED_LIB }, { repair: runner({ "src/lib.js": "fail" }), maxRepairs: 1 });
    expect(failing.validation.repairs.map((r) => r.fixed)).toEqual([false]);
    expect(failing.validation.reverts.map((r) => r.taskId)).toContain("refactor:src/lib.js");

    const calls: RepairRequest[][] = [];
    const none = await validate({ "src/lib.js": RENAMED_LIB }, { repair: runner({}, calls), maxRepairs: 0 });
    expect(calls).toHaveLength(0);
    expect(none.validation.repairs).toEqual([]);
    expect(none.validation.reverts.map((r) => r.taskId)).toContain("refactor:src/lib.js");
    const noRunner = await validate({ "src/lib.js": RENAMED_LIB }, { maxRepairs: 2 });
    expect(noRunner.validation.reverts.map((r) => r.taskId)).toContain("refactor:src/lib.js");
  });

  it("reverting one file reverts the changed files that relied on its new exports, and the tests and docs written from it", async () => {
    const out = await validate(
      {
        // extra.js drops `extra` (breaks leaf.js, which is changed too and now also wants `added`)...
        "src/extra.js": "export const added = 2;\n",
        "src/leaf.js": 'import { extra, added } from "./extra.js";\nexport const leaf = extra + added;\n',
        // ...and lib.js's refactor, with its test and doc, is broken on its own.
        "src/lib.js": RENAMED_LIB,
        "test/lib.test.js": 'import { other } from "../src/lib.js";\nother();\n// updated\n',
        "docs/src/lib.js.md": "# lib\n",
      },
      { maxRepairs: 0 },
    );
    const reverts = Object.fromEntries(out.validation.reverts.map((r) => [r.taskId, r]));
    expect(Object.keys(reverts).sort()).toEqual(["doc:src/lib.js", "refactor:src/extra.js", "refactor:src/leaf.js", "refactor:src/lib.js", "test:src/lib.js"]);
    expect(reverts["refactor:src/leaf.js"]!.problems).toEqual([expect.objectContaining({ file: "src/leaf.js", name: "added" })]);
    expect(reverts["test:src/lib.js"]).toEqual({ taskId: "test:src/lib.js", file: "test/lib.test.js", problems: [], reason: "written from refactor:src/lib.js, which was reverted" });
    expect(out.results.get("test:src/lib.js")!.error!.message).toBe("reverted by validation: written from refactor:src/lib.js, which was reverted");
    // The doc is not checked, but it describes the reverted refactor.
    expect(out.results.get("doc:src/lib.js")).toMatchObject({ status: "failed", error: { code: "reverted" } });
    expect(out.validation.remaining).toBeUndefined();
  });

  it("a problem a repair introduces elsewhere is reported and handled in the next round", async () => {
    let round = 0;
    const repair: RepairRunner = async (requests) => {
      round += 1;
      const out = new Map<TaskId, RepairAnswer>();
      const usage = { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 };
      // Round 1 restores `used` but drops `other` (used by the test file at HEAD); round 2 gets it right.
      const content = round === 1 ? "export function used() {}\n" : HEAD["src/lib.js"]!;
      for (const r of requests) out.set(r.task.id, { status: "succeeded", content, usage, latencyMs: 1, steps: 1 });
      return out;
    };
    const out = await validate({ "src/lib.js": RENAMED_LIB }, { repair });
    expect(out.validation.problems.map((p) => [p.file, (p as { name?: string }).name])).toEqual([["src/app.js", "used"], ["test/lib.test.js", "other"]]);
    expect(out.validation.repairs.map((r) => [r.round, r.fixed])).toEqual([[1, false], [2, true]]);
    expect(out.validation.reverts).toEqual([]);
  });
});
