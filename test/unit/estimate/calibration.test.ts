import { describe, expect, it } from "vitest";
import type { Plan, StepRecord, Task, Usage } from "../../../src/core/types.js";
import {
  calibrationRatios,
  MAX_CALIBRATION_RUNS,
  measureRun,
  mergeRun,
  parseCalibrationFile,
  type CalibrationRun,
} from "../../../src/estimate/calibration.js";

const u = (inputTokens: number, cachedInputTokens: number, outputTokens: number): Usage => ({ inputTokens, cachedInputTokens, outputTokens });
const task = (role: Task["role"], file: string): Task => ({ id: `${role}:${file}`, role, file, output: file, dependsOn: [], bytes: 100 });
const plan: Plan = {
  version: 1,
  roles: ["refactor", "test"],
  tasks: [task("refactor", "a.js"), task("refactor", "b.js"), task("test", "a.js"), task("refactor", "c.js")],
  files: [],
  skips: [],
};
const step = (taskId: string, over: Partial<StepRecord>): StepRecord => ({
  taskId,
  kind: taskId.split(":")[0] as StepRecord["kind"],
  attempt: 1,
  model: "m",
  ok: true,
  usage: u(0, 0, 0),
  latencyMs: 1,
  final: true,
  ...over,
});
const perTask = {
  "refactor:a.js": { model: "m", usage: u(100, 0, 50) },
  "refactor:b.js": { model: "m", usage: u(300, 40, 150) },
  "test:a.js": { model: "m", usage: u(200, 0, 100) },
  "refactor:c.js": { model: "m", usage: u(100, 40, 50) },
};

describe("measureRun", () => {
  it("first attempts: estimate against the successful request; retries by class, repairs and latency from every step; re-routed steps do not count", () => {
    const run = measureRun({
      runId: "r1",
      finishedAt: "2026-12-01T00:00:00.000Z",
      plan,
      perTaskUncalibrated: perTask,
      steps: [
        step("refactor:a.js", { ok: false, final: false, usage: u(999, 0, 999), error: { code: "no-code-block", message: "" } }), // a paid retry
        step("refactor:a.js", { attempt: 2, usage: u(110, 0, 60) }),
        step("refactor:b.js", { usage: u(330, 44, 120) }),
        step("refactor:b.js", { kind: "repair", usage: u(500, 0, 500) }),
        step("test:a.js", { ok: false, usage: u(210, 0, 5), error: { code: "bad-request", message: "" } }), // failed for good: not a retry class
        step("refactor:c.js", { model: "other", usage: u(1, 1, 1) }),
      ],
    });
    expect(run.byKey).toEqual({
      "m|refactor": {
        tasks: 2,
        estimated: u(400, 40, 200),
        actual: u(440, 44, 180),
        attempted: { tasks: 2, estimated: u(400, 40, 200) },
        retries: { format: 1 },
        retryUsage: u(999, 0, 999),
        repairs: 1,
        repairUsage: u(500, 0, 500),
        latencyMs: [1, 1, 1],
      },
      "m|test": { tasks: 0, estimated: u(0, 0, 0), actual: u(0, 0, 0), attempted: { tasks: 1, estimated: u(200, 0, 100) }, latencyMs: [1] },
      "m|repair": { tasks: 0, estimated: u(0, 0, 0), actual: u(0, 0, 0), latencyMs: [1] },
    });
    expect(run.sample).toBeUndefined();
  });

  it("keys a task estimated as SEARCH/REPLACE edits under kind edit, and marks a sample run", () => {
    const run = measureRun({
      runId: "s1",
      finishedAt: "",
      plan,
      sample: true,
      perTaskUncalibrated: { "refactor:a.js": { model: "m", usage: u(100, 0, 20), kind: "edit" } },
      steps: [
        step("refactor:a.js", { ok: false, final: false, usage: u(100, 0, 30), error: { code: "edit-failed", message: "" }, latencyMs: 40 }),
        step("refactor:a.js", { attempt: 2, usage: u(100, 0, 25), latencyMs: 60 }),
      ],
    });
    expect(run.sample).toBe(true);
    expect(Object.keys(run.byKey)).toEqual(["m|edit"]);
    expect(run.byKey["m|edit"]).toMatchObject({ tasks: 1, retries: { edit: 1 }, latencyMs: [40, 60] });
  });
});

describe("mergeRun and calibrationRatios", () => {
  const run = (runId: string, estimated: Usage, actual: Usage, tasks = 1): CalibrationRun => ({
    runId,
    finishedAt: "2026-12-01T00:00:00.000Z",
    byKey: { "m|refactor": { tasks, estimated, actual } },
  });

  it("ratio of sums over runs, so each run weighs in by its tasks' tokens", () => {
    let file = mergeRun(null, run("r1", u(100, 10, 100), u(110, 10, 50)));
    file = mergeRun(file, run("r2", u(300, 30, 100), u(330, 60, 150), 3));
    expect(calibrationRatios(file)).toEqual({ "m|refactor": { input: 1.1, cachedInput: 70 / 40, output: 1, runs: 2, tasks: 4 } });
  });

  it("retry and repair overheads per attempted task and per estimated token; latency percentiles; samples named apart from runs", () => {
    const full: CalibrationRun = {
      runId: "r1",
      finishedAt: "",
      byKey: {
        "m|test": {
          tasks: 3,
          estimated: u(300, 0, 300),
          actual: u(300, 0, 330),
          attempted: { tasks: 4, estimated: u(400, 0, 400) },
          retries: { transient: 1, format: 1 },
          retryUsage: u(100, 0, 40),
          repairs: 2,
          repairUsage: u(200, 0, 100),
          latencyMs: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        },
      },
    };
    const sample: CalibrationRun = { runId: "s1", finishedAt: "", sample: true, byKey: { "m|test": { tasks: 2, estimated: u(100, 0, 100), actual: u(100, 0, 110) } } };
    const ratios = calibrationRatios(mergeRun(mergeRun(null, full), sample));
    expect(ratios["m|test"]).toEqual({
      input: 1,
      output: 1.1,
      runs: 1,
      tasks: 5,
      sampleRuns: 1,
      sampleTasks: 2,
      retries: { perTask: { transient: 0.25, format: 0.25, edit: 0 }, usage: { input: 0.25, output: 0.1 } },
      repairs: { perTask: 0.5, usage: { input: 0.5, output: 0.25 } },
      latencyMs: { p50: 50, p90: 90 },
    });
  });

  it("reads files written before retries and repairs were measured (no overheads, no latency)", () => {
    const old = parseCalibrationFile({ version: 1, runs: [{ runId: "r1", finishedAt: "", byKey: { "m|refactor": { tasks: 1, estimated: u(100, 0, 100), actual: u(110, 0, 90) } } }] });
    expect(old!.runs).toHaveLength(1);
    expect(calibrationRatios(old)).toEqual({ "m|refactor": { input: 1.1, output: 0.9, runs: 1, tasks: 1 } });
  });

  it("replaces a run id already there (a resumed run measures its earlier steps again)", () => {
    let file = mergeRun(null, run("r1", u(100, 0, 100), u(200, 0, 200)));
    file = mergeRun(file, run("r1", u(100, 0, 100), u(100, 0, 100)));
    expect(file.runs).toHaveLength(1);
    expect(calibrationRatios(file)["m|refactor"]).toMatchObject({ input: 1, output: 1, runs: 1 });
  });

  it("keeps the newest runs only, and ignores a run that measured nothing", () => {
    let file = mergeRun(null, run("r0", u(1, 0, 1), u(1, 0, 1)));
    for (let i = 1; i <= MAX_CALIBRATION_RUNS + 4; i++) file = mergeRun(file, run(`r${i}`, u(1, 0, 1), u(1, 0, 1)));
    expect(file.runs).toHaveLength(MAX_CALIBRATION_RUNS);
    expect(file.runs.at(-1)!.runId).toBe(`r${MAX_CALIBRATION_RUNS + 4}`);
    expect(mergeRun(file, { runId: "empty", finishedAt: "", byKey: {} })).toBe(file);
  });

  it("no ratio where the estimate summed to zero; no cached ratio without estimated cached tokens", () => {
    const file = mergeRun(null, run("r1", u(100, 0, 0), u(100, 0, 10)));
    expect(calibrationRatios(file)).toEqual({});
    const noCache = mergeRun(null, run("r1", u(100, 0, 10), u(100, 20, 10)));
    expect(calibrationRatios(noCache)["m|refactor"]).not.toHaveProperty("cachedInput");
  });
});

describe("parseCalibrationFile", () => {
  it.each([
    { name: "not an object", input: 3, expected: null },
    { name: "wrong version", input: { version: 2, runs: [] }, expected: null },
    { name: "drops malformed runs", input: { version: 1, runs: [{ runId: "x" }, { runId: "y", finishedAt: "", byKey: { k: { tasks: 1, estimated: u(1, 0, 1), actual: u(-1, 0, 1) } } }] }, expected: { version: 1, runs: [] } },
    {
      name: "keeps good runs",
      input: { version: 1, runs: [{ runId: "y", finishedAt: "t", byKey: { k: { tasks: 1, estimated: u(1, 0, 1), actual: u(2, 0, 1) } } }] },
      expected: { version: 1, runs: [{ runId: "y", finishedAt: "t", byKey: { k: { tasks: 1, estimated: u(1, 0, 1), actual: u(2, 0, 1) } } }] },
    },
  ])("$name", ({ input, expected }) => {
    expect(parseCalibrationFile(input)).toEqual(expected);
  });
});
