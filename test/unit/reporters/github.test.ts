import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { annotation, createGithubReporter, escapeData, escapeProperty } from "../../../src/reporters/github.js";
import { SMALL_RUN, collect, loadEventFixture, metricsOf, recorder, summaryOf } from "../../support/events.js";
import { tempDir } from "../../support/git-repo.js";

describe("workflow command escaping", () => {
  it.each([
    ["100% done", "100%25 done"],
    ["line 1\nline 2", "line 1%0Aline 2"],
    ["crlf\r\n", "crlf%0D%0A"],
    ["a: b, c", "a: b, c"],
  ])("data %j", (input, expected) => {
    expect(escapeData(input)).toBe(expected);
  });

  it.each([
    ["src/a,b.js", "src/a%2Cb.js"],
    ["C:\\x", "C%3A\\x"],
    ["50%\n", "50%25%0A"],
  ])("property %j", (input, expected) => {
    expect(escapeProperty(input)).toBe(expected);
  });

  it("builds annotations", () => {
    expect(annotation("error", { file: "src/a,b.js", title: "swarm refactor failed" }, "timeout: 1\n2")).toBe(
      "::error file=src/a%2Cb.js,title=swarm refactor failed::timeout: 1%0A2",
    );
    expect(annotation("warning", {}, "x")).toBe("::warning::x");
  });
});

describe("github reporter", () => {
  it("annotates failures and appends the step summary to GITHUB_STEP_SUMMARY", async () => {
    const dir = tempDir("swarm-gh-");
    const summaryPath = path.join(dir, "step-summary.md");
    await writeFile(summaryPath, "previous step\n");
    const sink = collect();
    const reporter = createGithubReporter({ env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summaryPath }, out: sink.out });
    for (const event of loadEventFixture("sample-run")) reporter.onEvent(event);
    await reporter.close();

    expect(sink.lines()).toEqual([
      "::error file=src/utils/ids.js,title=swarm refactor failed::reverted: reverted by validation: 1 problem(s) remained after repair (src/services/users.js:3 missing-export: imports `newId` from ../utils/ids.js, which no longer exports it)",
      "::error file=src/utils/ids.test.js,title=swarm test failed::no-code-block: the answer had no fenced code block",
    ]);
    const written = await readFile(summaryPath, "utf8");
    expect(written.startsWith("previous step\n### swarm run 20250612-093000-7f3a\n")).toBe(true);
    expect(written).toContain("**6/8 tasks succeeded, 2 failed** · branch `swarm/20250612-093000-7f3a` · cost $0.08 (estimate $0.06, +45%) · 1 m 02 s · completed");
    expect(written).toContain("| refactor | 4 | 3 | 1 | 0 |");
    expect(written).toContain("Validation: 2 problem(s), 1 repaired, 1 reverted");
    expect(written).toContain("Commits: refactor `3f9c2a1` (3 files), test `8a41d0e` (3 files), repair `c07be1d` (1 file)");
    expect(written).toContain("| `src/utils/ids.test.js` | test | `no-code-block` the answer had no fenced code block |");
    // Issue 17: no path on the runner; the branch and the compare command instead.
    expect(written).not.toContain("/home/dev");
    expect(written).toContain("Review the branch `swarm/20250612-093000-7f3a`:");
    expect(written).toMatch(/git diff \S+\.\.\.swarm\/20250612-093000-7f3a/);
  });

  it("folds each phase into a ::group:: and closes the last before the annotations", async () => {
    const at = recorder("run-1").emit;
    const sink = collect();
    const reporter = createGithubReporter({ env: { GITHUB_ACTIONS: "true" }, out: sink.out });
    reporter.onEvent(at(1, { type: "run.phase", phase: "scanning", elapsedMs: 40 }));
    // The estimate is announced again while it holds the event loop (for terminals): still one group.
    reporter.onEvent(at(2, { type: "run.phase", phase: "estimating", count: 12, elapsedMs: 300 }));
    reporter.onEvent(at(2, { type: "run.phase", phase: "estimating", count: 12, elapsedMs: 600 }));
    reporter.onEvent(at(2, { type: "run.phase", phase: "running", count: 12, elapsedMs: 900 }));
    reporter.onEvent(at(3, { type: "run.phase", phase: "validating", count: 5, elapsedMs: 9000 }));
    reporter.onEvent(at(4, { type: "run.finished", summary: summaryOf({ failed: [] }, SMALL_RUN) }));
    await reporter.close();
    expect(sink.lines()).toEqual([
      "::group::swarm: scanning files",
      "::endgroup::",
      "::group::swarm: estimating 12 tasks",
      "::endgroup::",
      "::group::swarm: running 12 tasks",
      "::endgroup::",
      "::group::swarm: validating 5 files",
      "::endgroup::",
    ]);
  });

  it("annotates every root cause, with the tasks that failed because of it grouped under it", async () => {
    const at = recorder("run-1").emit;
    const roots = Array.from({ length: 20 }, (_, i) => ({
      taskId: `refactor:src/f${i}.js`,
      file: `src/f${i}.js`,
      output: `src/f${i}.js`,
      error: { code: "timeout" as const, message: `stuck ${i}` },
    }));
    const dependents = [
      { taskId: "test:src/f0.js", file: "src/f0.js", output: "src/f0.test.js", error: { code: "dependency-failed" as const, message: "refactor:src/f0.js failed" } },
      { taskId: "doc:src/f0.js", file: "src/f0.js", output: "docs/f0.md", error: { code: "dependency-failed" as const, message: "test:src/f0.js failed" } },
    ];
    const sink = collect();
    const reporter = createGithubReporter({ env: { GITHUB_ACTIONS: "true" }, out: sink.out });
    reporter.onEvent(at(1, { type: "run.finished", summary: summaryOf({ failed: [...roots, ...dependents] }, SMALL_RUN) }));
    await reporter.close();
    const errors = sink.lines().filter((l) => l.startsWith("::error"));
    expect(errors).toHaveLength(20);
    expect(errors[0]).toBe("::error file=src/f0.js,title=swarm refactor failed::timeout: stuck 0%0A2 dependent tasks not done: src/f0.test.js, docs/f0.md");
    expect(errors[19]).toBe("::error file=src/f19.js,title=swarm refactor failed::timeout: stuck 19");
  });

  it("puts the swarm metrics into the step summary when the run summary carries them", async () => {
    const dir = tempDir("swarm-gh-");
    const summaryPath = path.join(dir, "step-summary.md");
    const reporter = createGithubReporter({ env: { GITHUB_STEP_SUMMARY: summaryPath }, out: collect().out });
    const at = recorder("run-1").emit;
    reporter.onEvent(at(1000, { type: "run.finished", summary: summaryOf({ metrics: metricsOf() }, SMALL_RUN) }));
    await reporter.close();
    const written = await readFile(summaryPath, "utf8");
    expect(written).toContain("Completion: 88.9% (80/90) — **below the 95% target**");
    expect(written).toContain("Retries: 5 (rate-limited 4, timeout 1); rate-limited (429) responses: 4");
    expect(written).toContain("| refactor | 30 | 1.2 s | 3.4 s | 41.0 s | 1.5k | 9k |");
    expect(written).not.toContain("| doc |");
    expect(written).toContain("Slow agents (over 3× their role's p50): `src/big.js` 41.0 s (p50 1.2 s)");
    expect(written).toContain("Token outliers (over 3× their role's median): `src/big.js` 9k (6.0×), +1 more");
  });

  it("escapes messages, folds annotations beyond the cap, warns when the run stopped early", async () => {
    const at = recorder("run-1").emit;
    const failed = Array.from({ length: 4 }, (_, i) => ({
      taskId: `refactor:src/f${i},x.js`,
      file: `src/f${i},x.js`,
      output: `src/f${i},x.js`,
      error: { code: "timeout" as const, message: `100% stuck\nline ${i}` },
    }));
    const appended: string[] = [];
    const sink = collect();
    const reporter = createGithubReporter({
      env: { GITHUB_ACTIONS: "true" },
      out: sink.out,
      maxAnnotations: 3,
      appendFile: async (_p, text) => void appended.push(text),
    });
    reporter.onEvent(at(1, { type: "run.finished", summary: summaryOf({ failed, stoppedBy: "budget", budget: "steps", resumeHint: "swarm resume run-1" }, SMALL_RUN) }));
    await reporter.close();
    expect(sink.lines()).toEqual([
      "::error file=src/f0%2Cx.js,title=swarm refactor failed::timeout: 100%25 stuck%0Aline 0",
      "::error file=src/f1%2Cx.js,title=swarm refactor failed::timeout: 100%25 stuck%0Aline 1",
      "::error title=swarm::2 more tasks failed; see the step summary",
      "::warning title=swarm::run stopped by the steps budget; resume with: swarm resume run-1",
    ]);
    expect(appended).toEqual([]); // no GITHUB_STEP_SUMMARY set
  });

  it("reports a summary it could not write as a warning, not a crash", async () => {
    const at = recorder("run-1").emit;
    const sink = collect();
    const reporter = createGithubReporter({
      env: { GITHUB_STEP_SUMMARY: "/nowhere/summary.md" },
      out: sink.out,
      appendFile: () => Promise.reject(new Error("EACCES: permission denied")),
    });
    reporter.onEvent(at(1, { type: "run.finished", summary: summaryOf({ failed: [] }, SMALL_RUN) }));
    await expect(reporter.close()).resolves.toBeUndefined();
    expect(sink.lines()).toEqual(["::warning title=swarm::could not write the step summary: EACCES: permission denied"]);
  });

  it("does nothing before run.finished", async () => {
    const at = recorder("run-1").emit;
    const sink = collect();
    const reporter = createGithubReporter({ env: { GITHUB_ACTIONS: "true" }, out: sink.out });
    reporter.onEvent(at(1, { type: "task.failed", taskId: "doc:a.js", role: "doc", file: "a.js", output: "docs/a.md", attempts: 1, error: { code: "auth", message: "401" } }));
    await reporter.close();
    expect(sink.text()).toBe("");
  });
});
