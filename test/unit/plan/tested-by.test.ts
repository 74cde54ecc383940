import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/plan/build-plan.js";
import { candidateTests, testedBy } from "../../../src/plan/tested-by.js";

// express-api keeps a flat suite: test/users.test.js requires ../src/services/users, where the mirror
// convention would write test/services/users.test.js beside it.
const SOURCES = ["src/services/users.js", "src/controllers/users.js", "src/services/orders.js", "src/lib/a.ts"];

describe("testedBy", () => {
  it("maps a source to the same-named test that imports it, whatever the specifier style", () => {
    const tests = new Map([
      ["test/users.test.js", "const users = require('../src/services/users');\n"],
      ["test/orders.test.js", 'import { place } from "../src/services/orders.js";\n'],
      ["spec/a.spec.ts", 'import { a } from "../src/lib/a.js"; // .js naming the .ts source\n'],
    ]);
    expect(Object.fromEntries(testedBy(SOURCES, tests))).toEqual({
      "src/services/users.js": "test/users.test.js",
      "src/services/orders.js": "test/orders.test.js",
      "src/lib/a.ts": "spec/a.spec.ts",
    });
  });

  it("leaves ambiguous cases to the path convention", () => {
    // One test importing both same-named sources; two tests importing one source; a test of another name.
    const both = new Map([["test/users.test.js", "require('../src/services/users');\nrequire('../src/controllers/users');\n"]]);
    expect(testedBy(SOURCES, both).size).toBe(0);
    const twice = new Map([
      ["test/orders.test.js", "require('../src/services/orders');\n"],
      ["test/unit/orders.test.js", "require('../../src/services/orders');\n"],
    ]);
    expect(testedBy(SOURCES, twice).size).toBe(0);
    const otherName = new Map([["test/api.test.js", "require('../src/services/users');\n"]]);
    expect(testedBy(SOURCES, otherName).size).toBe(0);
  });

  it("reads only same-named tests", () => {
    expect(candidateTests(SOURCES, ["test/users.test.js", "test/api.test.js", "src/a.js", "node_modules/x/users.test.js"])).toEqual(["test/users.test.js"]);
  });
});

describe("buildPlan with testedBy", () => {
  it("updates the importing test instead of adding a conventional one, unless a test exists at the conventional path", () => {
    const files = [{ path: "src/services/users.js", bytes: 10 }, { path: "src/services/orders.js", bytes: 10 }];
    const allPaths = [...files.map((f) => f.path), "test/users.test.js", "test/orders.test.js", "test/services/orders.test.js"];
    const plan = buildPlan({
      files, skips: [], allPaths, roles: ["test"],
      testedBy: new Map([["src/services/users.js", "test/users.test.js"], ["src/services/orders.js", "test/orders.test.js"]]),
    });
    expect(plan.tasks.map((t) => t.output)).toEqual(["test/users.test.js", "test/services/orders.test.js"]);
  });
});
