import { describe, expect, it } from "vitest";
import {
  detectTestConvention,
  docOutputPath,
  isTestFile,
  testOutputPath,
  testPaths,
  withInfix,
  type TestConvention,
} from "../../../src/plan/output-paths.js";

describe("detectTestConvention", () => {
  const cases: { name: string; paths: string[]; expected: TestConvention }[] = [
    { name: "no tests at all → beside", paths: ["src/a.ts", "README.md"], expected: { layout: "beside", infix: "test" } },
    {
      name: "tests beside sources",
      paths: ["src/a.ts", "src/a.test.ts", "src/b.ts"],
      expected: { layout: "beside", infix: "test" },
    },
    {
      name: "spec files beside sources",
      paths: ["lib/a.js", "lib/a.spec.js", "lib/b.js", "lib/b.spec.js"],
      expected: { layout: "beside", infix: "spec" },
    },
    {
      name: "top-level test/ mirroring src/",
      paths: ["src/app.js", "src/routes/users.js", "test/routes/users.test.js", "test/app.test.js"],
      expected: { layout: "mirror", root: "test", infix: "test", stripSrc: true },
    },
    {
      name: "top-level tests/ with spec files",
      paths: ["src/app.ts", "tests/app.spec.ts"],
      expected: { layout: "mirror", root: "tests", infix: "spec", stripSrc: true },
    },
    {
      name: "top-level __tests__/",
      paths: ["src/app.ts", "__tests__/app.test.ts"],
      expected: { layout: "mirror", root: "__tests__", infix: "test", stripSrc: true },
    },
    {
      name: "test/ that keeps the src/ segment",
      paths: ["src/app.ts", "test/src/app.test.ts"],
      expected: { layout: "mirror", root: "test", infix: "test", stripSrc: false },
    },
    {
      name: "nested __tests__ folders",
      paths: ["src/a.js", "src/__tests__/a.test.js", "src/lib/b.js", "src/lib/__tests__/b.test.js"],
      expected: { layout: "nested", infix: "test" },
    },
    {
      name: "the layout with the most tests wins over a stray beside test",
      paths: ["src/a.js", "src/a.test.js", "src/b.js", "test/b.test.js", "test/c.test.js"],
      expected: { layout: "mirror", root: "test", infix: "test", stripSrc: true },
    },
    {
      name: "a tie between beside and mirror goes to beside",
      paths: ["src/a.js", "src/a.test.js", "test/b.test.js"],
      expected: { layout: "beside", infix: "test" },
    },
    {
      name: "test helpers beside tests in test/ are still mirror",
      paths: ["src/a.js", "test/helpers.js", "test/a.test.js"],
      expected: { layout: "mirror", root: "test", infix: "test", stripSrc: true },
    },
  ];
  it.each(cases)("$name", ({ paths, expected }) => {
    expect(detectTestConvention(paths)).toEqual(expected);
  });
});

describe("testOutputPath", () => {
  const beside: TestConvention = { layout: "beside", infix: "test" };
  const mirror: TestConvention = { layout: "mirror", root: "test", infix: "test", stripSrc: true };
  const cases: [string, TestConvention, string][] = [
    ["src/a.ts", beside, "src/a.test.ts"],
    ["src/a.js", beside, "src/a.test.js"],
    ["src/view.tsx", beside, "src/view.test.tsx"],
    ["src/view.jsx", beside, "src/view.test.jsx"],
    ["src/esm.mjs", beside, "src/esm.test.mjs"],
    ["src/cjs.cjs", beside, "src/cjs.test.cjs"],
    ["src/mod.mts", beside, "src/mod.test.mts"],
    ["index.js", beside, "index.test.js"],
    ["src/a.config.js", beside, "src/a.config.test.js"],
    ["src/a.ts", { layout: "beside", infix: "spec" }, "src/a.spec.ts"],
    ["src/routes/users.js", mirror, "test/routes/users.test.js"],
    ["src/app.js", mirror, "test/app.test.js"],
    ["lib/app.js", mirror, "test/lib/app.test.js"],
    ["index.js", mirror, "test/index.test.js"],
    ["source/x.js", mirror, "test/source/x.test.js"],
    ["src/app.js", { layout: "mirror", root: "test", infix: "test", stripSrc: false }, "test/src/app.test.js"],
    ["src/app.ts", { layout: "mirror", root: "tests", infix: "spec", stripSrc: true }, "tests/app.spec.ts"],
    ["src/app.ts", { layout: "mirror", root: "__tests__", infix: "test", stripSrc: true }, "__tests__/app.test.ts"],
    ["src/lib/b.js", { layout: "nested", infix: "test" }, "src/lib/__tests__/b.test.js"],
    ["b.js", { layout: "nested", infix: "test" }, "__tests__/b.test.js"],
  ];
  it.each(cases)("%s (%o) → %s", (file, convention, expected) => {
    expect(testOutputPath(file, convention)).toBe(expected);
  });

  it("accepts the repo's paths directly", () => {
    const allPaths = ["src/app.js", "src/routes/users.js", "test/app.test.js"];
    expect(testOutputPath("src/routes/users.js", allPaths)).toBe("test/routes/users.test.js");
  });

  it("an existing test at the chosen path is that path (the task updates it)", () => {
    const allPaths = ["src/a.ts", "src/a.test.ts"];
    expect(testOutputPath("src/a.ts", allPaths)).toBe("src/a.test.ts");
  });
});

describe("helpers", () => {
  it.each([
    ["a.ts", "a.test.ts"],
    ["Makefile", "Makefile.test"],
    [".eslintrc.js", ".eslintrc.test.js"],
  ])("withInfix(%s) → %s", (name, expected) => {
    expect(withInfix(name, "test")).toBe(expected);
  });

  it.each([
    ["src/a.test.ts", true],
    ["src/a.spec.mjs", true],
    ["src/a.test.tsx", true],
    ["src/a.ts", false],
    ["src/test.ts", true], // date-fns keeps each function's tests in a test.ts beside its index.ts,
    ["src/latest.js", false],
  ])("isTestFile(%s) → %s", (path, expected) => {
    expect(isTestFile(path)).toBe(expected);
  });

  it("docOutputPath", () => {
    expect(docOutputPath("src/routes/users.js")).toBe("docs/api/src/routes/users.js.md");
    expect(docOutputPath("lib/a.ts", "reference/")).toBe("reference/lib/a.ts.md");
  });
});

describe("detectTestConvention with mocha-style suites", () => {
  it("a top-level test/ of plain scripts means mirror, even without .test. names", () => {
    expect(detectTestConvention(["lib/application.js", "lib/router.js", "test/app.router.js", "test/support/env.js"])).toEqual({
      layout: "mirror",
      root: "test",
      infix: "test",
      stripSrc: true,
    });
  });
  it("named tests elsewhere still win over a folder of plain scripts", () => {
    expect(detectTestConvention(["src/a.js", "src/a.test.js", "test/fixtures/data.js"])).toEqual({ layout: "beside", infix: "test" });
  });
});

describe("tests go where the project's runner looks", () => {
  it("a suite folder holding most of test/ gets the new tests (uptime-kuma's test/backend-test/)", () => {
    const paths = [
      "package.json",
      "server/util-server.js",
      "server/model/monitor.js",
      "src/util.ts",
      "test/backend-test/test-util-server.js",
      "test/backend-test/test-monitor.js",
      "test/backend-test/test-uptime-calculator.js",
      "test/prepare-test-server.js",
    ];
    expect(detectTestConvention(paths)).toEqual({ layout: "mirror", root: "test", infix: "test", stripSrc: true, suite: "backend-test" });
    expect(testOutputPath("server/model/monitor.js", paths)).toBe("test/backend-test/server/model/monitor.test.js");
  });

  it("named tests concentrated in test/unit/ mirror src/ inside it", () => {
    const paths = ["src/a/b.ts", "src/c.ts", "test/unit/a/x.test.ts", "test/unit/c.test.ts", "test/e2e/run.test.ts"];
    expect(testOutputPath("src/a/b.ts", paths)).toBe("test/unit/a/b.test.ts");
  });

  it("a folder that mirrors a source folder is not a suite", () => {
    const paths = ["src/routes/users.js", "src/db.js", "test/routes/users.test.js", "test/routes/orders.test.js", "test/db.test.js"];
    expect(detectTestConvention(paths)).toEqual({ layout: "mirror", root: "test", infix: "test", stripSrc: true });
    expect(testOutputPath("src/db.js", paths)).toBe("test/db.test.js");
  });

  it("each package of a monorepo keeps its own convention", () => {
    const paths = [
      "package.json",
      "packages/api/package.json",
      "packages/api/src/server.ts",
      "packages/api/test/backend/server.spec.ts",
      "packages/api/test/backend/db.spec.ts",
      "packages/web/package.json",
      "packages/web/src/app.tsx",
      "packages/web/src/app.test.tsx",
      "scripts/build.ts",
      "scripts/build.test.ts",
    ];
    const tests = testPaths(paths);
    expect(tests.pathOf("packages/api/src/routes.ts")).toBe("packages/api/test/backend/routes.spec.ts");
    expect(tests.pathOf("packages/web/src/page.tsx")).toBe("packages/web/src/page.test.tsx");
    expect(tests.pathOf("scripts/release.ts")).toBe("scripts/release.test.ts");
    expect(tests.conventionOf("packages/api/src/routes.ts")).toMatchObject({ layout: "mirror", infix: "spec", suite: "backend" });
  });
});

describe("an existing test of the same source", () => {
  it("is the output under any test extension, never a sibling with another one (hono's index.test.tsx)", () => {
    const paths = ["src/middleware/jsx-renderer/index.ts", "src/middleware/jsx-renderer/index.test.tsx", "src/other/a.ts", "src/other/a.test.ts"];
    expect(testPaths(paths).pathOf("src/middleware/jsx-renderer/index.ts")).toBe("src/middleware/jsx-renderer/index.test.tsx");
  });

  it("is found beside the source even when the repo's convention is a mirror folder", () => {
    const paths = ["src/a.ts", "src/b.ts", "src/b.spec.js", "test/x.test.ts", "test/y.test.ts", "test/z.test.ts"];
    expect(testPaths(paths).pathOf("src/b.ts")).toBe("src/b.spec.js");
    expect(testPaths(paths).pathOf("src/a.ts")).toBe("test/a.test.ts");
  });
});
