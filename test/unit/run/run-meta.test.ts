import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/core/types.js";
import { openRunDir, recordResume, resumeOverrides, type RunMeta } from "../../../src/run/run-meta.js";
import { makeRepo } from "../../support/git-repo.js";

const plan = { version: 1, roles: ["refactor"], tasks: [], files: [], skips: [] } as unknown as Plan;
const meta = (baseURL: string): RunMeta => ({
  runId: "20260101-000000-abcd", branch: "swarm/x", headSha: "0".repeat(40), instruction: "i", startedAt: "2026-01-01T00:00:00Z",
  options: { overrides: { baseURL, model: "m" } },
});

describe("run.json keeps no credential of --base-url", () => {
  it("redacts the user-info password and secret query values; a resume needs the flag again", async () => {
    const top = makeRepo({ "a.ts": "x\n" });
    const paths = await openRunDir(top, plan, meta("https://me:hunter2pass@llm.example/v1?api-key=k3y&region=eu"));
    const text = readFileSync(paths.meta, "utf8");
    expect(text).not.toContain("hunter2pass");
    expect(text).not.toContain("k3y");
    const stored = JSON.parse(text) as RunMeta;
    expect(stored.options.overrides.baseURL).toBe("https://me:REDACTED@llm.example/v1?api-key=REDACTED&region=eu");
    expect(() => resumeOverrides(stored, {})).toThrow(/which run.json does not keep/);
    expect(resumeOverrides(stored, { baseURL: "https://me:hunter2pass@llm.example/v1" }).overrides).toMatchObject({ baseURL: "https://me:hunter2pass@llm.example/v1", model: "m" });
    // The resume's own flag is recorded redacted too.
    await recordResume(paths, stored, { baseURL: "https://me:other5ecret@llm.example/v1" });
    expect(readFileSync(paths.meta, "utf8")).not.toContain("other5ecret");
  });

  it("leaves a URL without credentials as it was, and a resume of it needs no flag", async () => {
    const paths = await openRunDir(makeRepo({ "a.ts": "x\n" }), plan, meta("http://127.0.0.1:8080/v1"));
    const stored = JSON.parse(readFileSync(paths.meta, "utf8")) as RunMeta;
    expect(stored.options.overrides.baseURL).toBe("http://127.0.0.1:8080/v1");
    expect(resumeOverrides(stored, {}).overrides.baseURL).toBe("http://127.0.0.1:8080/v1");
  });
});

describe("what a resume may change (issue 17: resume's help lists only what it uses)", () => {
  it("takes the endpoint and the limits, and keeps the run's plan flags", () => {
    const stored = { ...meta("http://127.0.0.1:8080/v1"), options: { overrides: { baseURL: "http://127.0.0.1:8080/v1", model: "m", maxCostUSD: 5, roles: ["refactor" as const] } } };
    const { overrides, given } = resumeOverrides(stored, { maxCostUSD: 10, maxFailureRate: 0.2, roles: ["refactor", "test"], instruction: "other" });
    expect(given).toEqual({ maxCostUSD: 10, maxFailureRate: 0.2 });
    expect(overrides).toMatchObject({ maxCostUSD: 10, maxFailureRate: 0.2, roles: ["refactor"] });
    expect(overrides.instruction).toBeUndefined();
  });
});
