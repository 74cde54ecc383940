import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build-plan.js";
import { dropTasks } from "../../../src/plan/drop-tasks.js";

const plan = buildPlan({
  files: [
    { path: "src/a.js", bytes: 10 },
    { path: "src/b.js", bytes: 10 },
  ],
  skips: [],
  allPaths: ["src/a.js", "src/b.js"],
  roles: ["refactor", "test", "doc"],
});

describe("dropTasks", () => {
  it("returns the plan as it was when nothing is dropped", () => {
    expect(dropTasks(plan, new Map())).toBe(plan);
  });

  it("drops a test task alone, with its reason", () => {
    const out = dropTasks(plan, new Map([["test:src/a.js", "its folder is a symbolic link at HEAD"]]));
    expect(out.tasks.map((t) => t.id)).not.toContain("test:src/a.js");
    expect(out.tasks).toHaveLength(5);
    expect(out.dropped).toEqual([{ taskId: "test:src/a.js", output: "src/a.test.js", reason: "its folder is a symbolic link at HEAD" }]);
    expect(out.files.map((f) => f.path)).toEqual(["src/a.js", "src/b.js"]);
  });

  it("drops the dependents of a dropped refactor, and the file when nothing of it is left", () => {
    const out = dropTasks(plan, new Map([["refactor:src/b.js", "secret"]]));
    expect(out.tasks.map((t) => t.id)).toEqual(["refactor:src/a.js", "test:src/a.js", "doc:src/a.js"]);
    expect(out.dropped!.map((d) => [d.taskId, d.reason])).toEqual([
      ["refactor:src/b.js", "secret"],
      ["test:src/b.js", "refactor:src/b.js was left out"],
      ["doc:src/b.js", "refactor:src/b.js was left out"],
    ]);
    expect(out.files.map((f) => f.path)).toEqual(["src/a.js"]);
  });
});
