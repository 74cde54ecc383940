import { describe, expect, it } from "vitest";
import type { Plan, Role, Skip } from "../../../src/core/types.js";
import { buildPlan, importDependencies, type BuildPlanInput } from "../../../src/plan/build-plan.js";
import { checkPlan } from "../../../src/plan/dag.js";

const files = (...paths: string[]) => paths.map((path, i) => ({ path, bytes: 100 + i }));

function plan(overrides: Partial<BuildPlanInput> & { files: BuildPlanInput["files"] }): Plan {
  const input: BuildPlanInput = {
    skips: [],
    allPaths: overrides.files.map((f) => f.path),
    roles: ["refactor", "test", "doc"],
    ...overrides,
  };
  const result = buildPlan(input);
  checkPlan(result);
  return result;
}

const summary = (p: Plan) => p.tasks.map((t) => `${t.id} → ${t.output}${t.dependsOn.length ? ` after ${t.dependsOn.join(",")}` : ""}`);

describe("buildPlan", () => {
  it("one task per file per role, refactors first, test/doc after their file's refactor", () => {
    const result = plan({ files: files("src/a.js", "src/b.js") });
    expect(summary(result)).toEqual([
      "refactor:src/a.js → src/a.js",
      "refactor:src/b.js → src/b.js",
      "test:src/a.js → src/a.test.js after refactor:src/a.js",
      "test:src/b.js → src/b.test.js after refactor:src/b.js",
      "doc:src/a.js → docs/api/src/a.js.md after refactor:src/a.js",
      "doc:src/b.js → docs/api/src/b.js.md after refactor:src/b.js",
    ]);
    expect(result).toMatchObject({ version: 1, roles: ["refactor", "test", "doc"] });
    expect(result.tasks[0]).toEqual({
      id: "refactor:src/a.js",
      role: "refactor",
      file: "src/a.js",
      output: "src/a.js",
      dependsOn: [],
      bytes: 100,
    });
    expect(result.conflicts).toBeUndefined();
  });

  const subsets: { roles: Role[]; ids: string[] }[] = [
    { roles: ["refactor"], ids: ["refactor:a.js"] },
    { roles: ["test"], ids: ["test:a.js"] },
    { roles: ["doc", "test"], ids: ["test:a.js", "doc:a.js"] },
    { roles: ["doc", "refactor"], ids: ["refactor:a.js", "doc:a.js"] },
  ];
  it.each(subsets)("roles $roles → $ids", ({ roles, ids }) => {
    const result = plan({ files: files("a.js"), roles });
    expect(result.tasks.map((t) => t.id)).toEqual(ids);
    if (!roles.includes("refactor")) expect(result.tasks.every((t) => t.dependsOn.length === 0)).toBe(true);
  });

  it("normalises roles to refactor, test, doc", () => {
    expect(plan({ files: files("a.js"), roles: ["doc", "refactor", "doc"] }).roles).toEqual(["refactor", "doc"]);
  });

  it("follows the repo's test convention", () => {
    const result = plan({
      files: files("src/app.js", "src/routes/users.js"),
      allPaths: ["src/app.js", "src/routes/users.js", "test/app.test.js", "package.json"],
      roles: ["test"],
    });
    expect(result.tasks.map((t) => t.output)).toEqual(["test/app.test.js", "test/routes/users.test.js"]);
  });

  it("carries skips and lists only files that got tasks, in input order", () => {
    const skips: Skip[] = [{ path: ".env", reason: "secret-name", detail: "x" }];
    const result = plan({ files: files("b.js", "a.js", "b.js"), skips, roles: ["refactor"] });
    expect(result.skips).toBe(skips);
    expect(result.files).toEqual([
      { path: "b.js", bytes: 100 },
      { path: "a.js", bytes: 101 },
    ]);
  });

  it("gives no test task to a file that is itself a test", () => {
    const result = plan({ files: files("src/a.test.js"), roles: ["refactor", "test"] });
    expect(result.tasks.map((t) => t.id)).toEqual(["refactor:src/a.test.js"]);
  });

  describe("unique outputs", () => {
    it("a test whose conventional path another test owns goes beside its source", () => {
      // Mirror layout: src/index.js and index.js both map to test/index.test.js.
      const result = plan({
        files: files("index.js", "src/index.js"),
        allPaths: ["index.js", "src/index.js", "test/x.test.js"],
        roles: ["test"],
      });
      expect(summary(result)).toEqual(["test:index.js → test/index.test.js", "test:src/index.js → src/index.test.js"]);
      expect(result.conflicts).toEqual([
        { taskId: "test:src/index.js", wanted: "test/index.test.js", ownedBy: "test:index.js", output: "src/index.test.js" },
      ]);
    });

    it("drops a test task when the beside fallback is taken too", () => {
      // Beside layout: a.js → a.test.js, but a.test.js is itself a source file being refactored.
      const result = plan({ files: files("a.js", "a.test.js"), roles: ["refactor", "test"] });
      expect(result.tasks.map((t) => t.id)).toEqual(["refactor:a.js", "refactor:a.test.js"]);
      expect(result.conflicts).toEqual([{ taskId: "test:a.js", wanted: "a.test.js", ownedBy: "refactor:a.test.js" }]);
    });

    it("a doc path owned by a refactored file drops the doc task", () => {
      const result = plan({ files: files("a.js", "docs/api/a.js.md"), roles: ["refactor", "doc"] });
      expect(result.tasks.map((t) => t.id)).toEqual([
        "refactor:a.js",
        "refactor:docs/api/a.js.md",
        "doc:docs/api/a.js.md",
      ]);
      expect(result.conflicts).toEqual([{ taskId: "doc:a.js", wanted: "docs/api/a.js.md", ownedBy: "refactor:docs/api/a.js.md" }]);
    });

    it("never gives one output path to two tasks on a larger mixed repo", () => {
      const paths = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `src/m${i}.js` : i % 3 === 1 ? `m${i - 1}.js` : `src/m${i}.test.js`));
      const mirrorTests = Array.from({ length: 200 }, (_, i) => `test/t${i}.test.js`);
      const result = plan({ files: files(...paths), allPaths: [...paths, ...mirrorTests] });
      const outputs = result.tasks.map((t) => t.output);
      expect(new Set(outputs).size).toBe(outputs.length);
      // src/m0.js and m0.js both want test/m0.test.js; the second goes beside as m0.test.js.
      expect(result.conflicts?.length).toBeGreaterThan(0);
      expect(result.tasks.find((t) => t.id === "test:m0.js")?.output).toBe("m0.test.js");
    });
  });

  describe("dependencies-first", () => {
    // a → b → c, plus a cycle d ⇄ e where d also imports c, and an import of an external/unknown file.
    const imports = new Map([
      ["a.js", ["b.js", "node_modules/x.js"]],
      ["b.js", ["c.js"]],
      ["d.js", ["e.js", "c.js"]],
      ["e.js", ["d.js"]],
      ["c.js", ["c.js"]],
    ]);
    const input = { files: files("a.js", "b.js", "c.js", "d.js", "e.js"), imports, order: "dependencies-first" as const };

    it("a refactor waits for the refactors of the files it imports, except within a cycle", () => {
      const result = plan({ ...input, roles: ["refactor"] });
      expect(Object.fromEntries(result.tasks.map((t) => [t.id, t.dependsOn]))).toEqual({
        "refactor:a.js": ["refactor:b.js"],
        "refactor:b.js": ["refactor:c.js"],
        "refactor:c.js": [],
        "refactor:d.js": ["refactor:c.js"],
        "refactor:e.js": [],
      });
    });

    it("test and doc still wait only for their own file's refactor", () => {
      const result = plan(input);
      expect(result.tasks.find((t) => t.id === "test:a.js")?.dependsOn).toEqual(["refactor:a.js"]);
      expect(result.tasks.find((t) => t.id === "doc:d.js")?.dependsOn).toEqual(["refactor:d.js"]);
    });

    it("parallel order ignores imports", () => {
      const result = plan({ ...input, order: "parallel", roles: ["refactor"] });
      expect(result.tasks.every((t) => t.dependsOn.length === 0)).toBe(true);
    });

    it("without refactor among the roles there is nothing to order", () => {
      const result = plan({ ...input, roles: ["test", "doc"] });
      expect(result.tasks.every((t) => t.dependsOn.length === 0)).toBe(true);
    });

    it("handles a 10,000-file import chain and a 10,000-file cycle without recursion", () => {
      const paths = Array.from({ length: 10_000 }, (_, i) => `f${String(i).padStart(5, "0")}.js`);
      const chain = new Map(paths.slice(0, -1).map((p, i) => [p, [paths[i + 1]]]));
      const chained = importDependencies(paths, chain);
      expect(chained.get(paths[0])).toEqual([paths[1]]);
      expect(chained.size).toBe(9_999);

      const ring = new Map(paths.map((p, i) => [p, [paths[(i + 1) % paths.length]]]));
      expect(importDependencies(paths, ring).size).toBe(0);
    });
  });

  it("is deterministic", () => {
    const input: BuildPlanInput = {
      files: files("c.js", "a.js", "b.js"),
      skips: [],
      allPaths: ["a.js", "b.js", "c.js"],
      roles: ["refactor", "test", "doc"],
      order: "dependencies-first",
      imports: new Map([["a.js", ["b.js", "c.js"]]]),
    };
    expect(JSON.stringify(buildPlan(input))).toBe(JSON.stringify(buildPlan(structuredClone(input))));
  });
});

describe("what the defaults leave out", () => {
  it("config files and build scripts get a refactor only, and the plan counts them and the tests it left out", () => {
    const sources = files("src/a.ts", "vite.config.ts", ".prettierrc.js", "gulpfile.js", "build.mjs", "packages/x/jest.config.cjs");
    const allPaths = [...sources.map((f) => f.path), "src/a.test.ts", "test/b.test.ts", "test/helpers.js", "README.md"];
    const result = plan({ files: sources, allPaths });
    expect(result.tasks.filter((t) => t.role !== "refactor").map((t) => t.id)).toEqual(["test:src/a.ts", "doc:src/a.ts"]);
    expect(result.tasks.filter((t) => t.role === "refactor")).toHaveLength(6);
    expect(result.leftOut).toEqual([
      { count: 3, what: "test files", why: "tests are not refactored by default" },
      { count: 5, what: "config files and build scripts", why: "refactored only: no test or doc tasks" },
    ]);
  });

  it("counts nothing when nothing was left out", () => {
    expect(plan({ files: files("src/a.ts"), roles: ["refactor"] }).leftOut).toBeUndefined();
  });
});

describe("a run scoped to a folder", () => {
  it("without tests or a package.json of its own follows the whole repo's test folder (uptime-kuma's server/)", () => {
    const sources = files("server/monitor-types/smtp.js", "server/util.js");
    // As the scan gives them: the folder's own paths, and the whole tree apart. The Playwright specs under
    // test/e2e/ outnumber the one named backend test, and must not take the unit tests.
    const allPaths = sources.map((f) => f.path);
    const repoPaths = [...allPaths, "package.json", "test/backend-test/test-domain.js", "test/backend-test/monitors/test-dns.js", "test/backend-test/check-translations.test.js"];
    repoPaths.push(...["a", "b", "c"].map((n) => `test/e2e/specs/${n}.spec.js`));
    const result = plan({ files: sources, allPaths, repoPaths, root: "server", roles: ["test"] });
    expect(result.tasks.map((t) => t.output)).toEqual(["test/backend-test/server/monitor-types/smtp.test.js", "test/backend-test/server/util.test.js"]);
  });

  it("writes docs under the enclosing package's docs/api/, never inside the scoped source folder", () => {
    const hono = files("src/middleware/cors/index.ts");
    expect(plan({ files: hono, allPaths: hono.map((f) => f.path), repoPaths: [...hono.map((f) => f.path), "package.json"], root: "src/middleware", roles: ["doc"] }).tasks[0]!.output).toBe("docs/api/src/middleware/cors/index.ts.md");
    const pkg = files("packages/api/src/a.ts");
    const repoPaths = [...pkg.map((f) => f.path), "package.json", "packages/api/package.json"];
    expect(plan({ files: pkg, allPaths: pkg.map((f) => f.path), repoPaths, root: "packages/api/src", roles: ["doc"] }).tasks[0]!.output).toBe("packages/api/docs/api/src/a.ts.md");
  });

  it("that is a package keeps its own convention", () => {
    const sources = files("packages/api/src/a.ts");
    const allPaths = [...sources.map((f) => f.path), "packages/api/package.json", "test/x.test.ts", "test/y.test.ts"];
    expect(plan({ files: sources, allPaths, root: "packages/api", roles: ["test"] }).tasks[0]!.output).toBe("packages/api/src/a.test.ts");
  });
});
