import { describe, expect, it } from "vitest";
import type { Plan, Task } from "../../../src/core/types.js";
import { buildPlan } from "../../../src/plan/build-plan.js";
import { checkPlan, criticalPath, waves } from "../../../src/plan/dag.js";

function task(id: string, dependsOn: string[] = [], output = id, bytes = 1): Task {
  const [role, file] = id.split(":") as [Task["role"], string];
  return { id, role, file, output, dependsOn, bytes };
}
const planOf = (...tasks: Task[]): Plan => ({ version: 1, roles: ["refactor", "test", "doc"], tasks, files: [], skips: [] });

describe("checkPlan", () => {
  it("accepts a valid plan", () => {
    expect(() => checkPlan(planOf(task("refactor:a"), task("test:a", ["refactor:a"], "a.test")))).not.toThrow();
  });

  const broken: { name: string; plan: Plan; message: RegExp }[] = [
    {
      name: "duplicate output",
      plan: planOf(task("refactor:a", [], "x"), task("doc:a", [], "x")),
      message: /doc:a and refactor:a both write x/,
    },
    { name: "duplicate id", plan: planOf(task("refactor:a"), task("refactor:a", [], "y")), message: /appears twice/ },
    { name: "unknown dependency", plan: planOf(task("test:a", ["refactor:a"])), message: /unknown task refactor:a/ },
    { name: "self dependency", plan: planOf(task("refactor:a", ["refactor:a"])), message: /depends on itself/ },
    {
      name: "cycle",
      plan: planOf(
        task("refactor:z"),
        task("refactor:a", ["refactor:c"]),
        task("refactor:b", ["refactor:a"]),
        task("refactor:c", ["refactor:b", "refactor:z"]),
        task("test:a", ["refactor:a"], "a.test"),
      ),
      message: /cycle among refactor:a, refactor:b, refactor:c$/,
    },
  ];
  it.each(broken)("throws on $name", ({ plan, message }) => {
    expect(() => checkPlan(plan)).toThrow(message);
  });
});

describe("waves", () => {
  it("layers tasks topologically, keeping plan order within a wave", () => {
    const plan = planOf(
      task("refactor:b", ["refactor:c"]),
      task("refactor:a", ["refactor:c"]),
      task("refactor:c"),
      task("refactor:d"),
      task("test:a", ["refactor:a"], "a.test"),
      task("doc:b", ["refactor:b", "refactor:d"], "b.md"),
    );
    expect(waves(plan)).toEqual([["refactor:c", "refactor:d"], ["refactor:b", "refactor:a"], ["test:a", "doc:b"]]);
  });

  it("an empty plan has no waves", () => {
    expect(waves(planOf())).toEqual([]);
  });

  it("a plan without dependencies is one wave", () => {
    const plan = buildPlan({ files: [{ path: "a.js", bytes: 1 }, { path: "b.js", bytes: 1 }], skips: [], allPaths: [], roles: ["refactor"] });
    expect(waves(plan)).toEqual([["refactor:a.js", "refactor:b.js"]]);
  });

  it("handles a 10,000-task chain", () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => task(`refactor:f${i}`, i === 0 ? [] : [`refactor:f${i - 1}`]));
    const layers = waves(planOf(...tasks));
    expect(layers.length).toBe(10_000);
    expect(layers[9_999]).toEqual(["refactor:f9999"]);
  });

  it("throws on a cycle", () => {
    expect(() => waves(planOf(task("refactor:a", ["refactor:b"]), task("refactor:b", ["refactor:a"])))).toThrow(/cycle/);
  });
});

describe("criticalPath", () => {
  it("finds the most expensive chain by summed cost", () => {
    const plan = planOf(
      task("refactor:a", [], "a", 10),
      task("refactor:b", ["refactor:a"], "b", 1),
      task("refactor:c", [], "c", 3),
      task("test:b", ["refactor:b"], "b.test", 5),
      task("doc:c", ["refactor:c"], "c.md", 2),
    );
    expect(criticalPath(plan, (t) => t.bytes)).toEqual({ length: 16, taskIds: ["refactor:a", "refactor:b", "test:b"] });
  });

  it("uses the largest prerequisite when a task waits for several", () => {
    const plan = planOf(
      task("refactor:a", [], "a", 1),
      task("refactor:b", [], "b", 7),
      task("refactor:c", ["refactor:a", "refactor:b"], "c", 1),
    );
    expect(criticalPath(plan, (t) => t.bytes)).toEqual({ length: 8, taskIds: ["refactor:b", "refactor:c"] });
  });

  it("ties go to the chain first in plan order", () => {
    const plan = planOf(task("refactor:a"), task("refactor:b"));
    expect(criticalPath(plan, () => 1)).toEqual({ length: 1, taskIds: ["refactor:a"] });
  });

  it("an empty plan has length 0", () => {
    expect(criticalPath(planOf(), () => 1)).toEqual({ length: 0, taskIds: [] });
  });

  it("a refactor → test → doc plan is three steps deep at most", () => {
    const plan = buildPlan({
      files: [{ path: "a.js", bytes: 1 }, { path: "b.js", bytes: 1 }],
      skips: [],
      allPaths: ["a.js", "b.js"],
      roles: ["refactor", "test", "doc"],
      order: "dependencies-first",
      imports: new Map([["a.js", ["b.js"]]]),
    });
    expect(criticalPath(plan, () => 1)).toEqual({ length: 3, taskIds: ["refactor:b.js", "refactor:a.js", "test:a.js"] });
  });
});
