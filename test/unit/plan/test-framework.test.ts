import { describe, expect, it } from "vitest";
import { detectTestFramework } from "../../../src/plan/test-framework.js";

describe("detectTestFramework", () => {
  it.each([
    { pkg: { devDependencies: { vitest: "4" } }, tests: [], expected: "vitest" },
    { pkg: { devDependencies: { jest: "29" } }, tests: [], expected: "jest" },
    { pkg: { scripts: { test: "node --test test/" } }, tests: [], expected: "node:test" },
    { pkg: {}, tests: ['const test = require("node:test");'], expected: "node:test" },
    { pkg: {}, tests: ['import { it } from "@jest/globals";'], expected: "jest" },
    { pkg: {}, tests: [], expected: undefined },
  ])("$expected", ({ pkg, tests, expected }) => {
    expect(detectTestFramework(JSON.stringify(pkg), tests)).toBe(expected);
  });

  it("survives a broken package.json", () => {
    expect(detectTestFramework("{nope", ["import { test } from 'node:test'"])).toBe("node:test");
  });
});
