import { describe, expect, it } from "vitest";
import { isGithubActions, resolveOutputMode } from "../../../src/cli/output-mode.js";

describe("resolveOutputMode", () => {
  it.each([
    { name: "--json wins over a TTY", json: true, isTTY: true, env: {}, expected: "json" },
    { name: "--json wins in CI", json: true, isTTY: false, env: { CI: "true" }, expected: "json" },
    { name: "interactive terminal", json: false, isTTY: true, env: {}, expected: "dashboard" },
    { name: "pipe", json: false, isTTY: false, env: {}, expected: "plain" },
    { name: "TTY in CI", json: false, isTTY: true, env: { CI: "1" }, expected: "plain" },
    { name: "TTY under GitHub Actions", json: false, isTTY: true, env: { GITHUB_ACTIONS: "true" }, expected: "plain" },
    { name: "CI=false means not CI", json: false, isTTY: true, env: { CI: "false" }, expected: "dashboard" },
  ] as const)("$name → $expected", ({ json, isTTY, env, expected }) => {
    expect(resolveOutputMode({ json, isTTY, env })).toBe(expected);
  });
});

describe("isCI", () => {
  it.each([
    [{}, false],
    [{ CI: "true" }, true],
    [{ CI: "1" }, true],
    [{ CI: "" }, true],
    [{ CI: "false" }, false],
    [{ CI: "FALSE" }, false],
    [{ CI: "0" }, false],
    [{ GITHUB_ACTIONS: "true" }, true],
    [{ GITHUB_ACTIONS: "false" }, false],
  ])("%o → %s", (env, expected) => {
    // A terminal gets the dashboard only outside CI.
    expect(resolveOutputMode({ json: false, isTTY: true, env })).toBe(expected ? "plain" : "dashboard");
  });

  it("adds GitHub output under Actions or when a step summary file is set", () => {
    expect(isGithubActions({ GITHUB_ACTIONS: "true" })).toBe(true);
    expect(isGithubActions({ GITHUB_STEP_SUMMARY: "/tmp/summary.md" })).toBe(true);
    expect(isGithubActions({ CI: "true" })).toBe(false);
  });
});
