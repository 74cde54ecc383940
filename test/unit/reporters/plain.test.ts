import { describe, expect, it } from "vitest";
import type { SwarmEvent } from "../../../src/events/types.js";
import { createPlainReporter } from "../../../src/reporters/plain.js";
import { SMALL_RUN, collect, loadEventFixture, metricsOf, recorder, summaryOf } from "../../support/events.js";

const zero = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };

function runPlain(events: SwarmEvent[], options: { progressEveryMs?: number; maxFailureLines?: number; maxProblemLines?: number } = {}) {
  const sink = collect();
  const reporter = createPlainReporter({ out: sink.out, ...options });
  for (const event of events) reporter.onEvent(event);
  return sink;
}

function started(at: ReturnType<typeof recorder>["emit"], t = 0): SwarmEvent {
  return at(t, {
    type: "run.started",
    repo: "/repo",
    branch: "swarm/run-1",
    roles: ["refactor"],
    tasks: 10,
    files: 10,
    skipped: 0,
    concurrency: 8,
    model: "kimi-k2.6",
    estimate: null,
    resumed: false,
    alreadyDone: 0,
  });
}

describe("plain reporter over the recorded sample run", () => {
  const sink = runPlain(loadEventFixture("sample-run"));

  it("prints one line per task, progress, validation, commits and a final summary", () => {
    expect(sink.text()).toMatchInlineSnapshot(`
      "swarm 20250612-093000-7f3a: 8 tasks (refactor, test) over 4 files, 2 skipped; concurrency 4; model kimi-k2.6 -> swarm/20250612-093000-7f3a
      estimate: 27.8k in (50% cached), 10.4k out, $0.06, about 1 m 00 s
      warning: the working tree has uncommitted changes; the run uses what HEAD holds
      limit: concurrency 2 of 4 (rate-limited)
      [ 0/8 0% ] 0 failed | 2 retries (2x429) | 0 tok | $0.00 / est $0.06 | limit 2
      ok   refactor src/app.js (1 attempt, 4.6k tok, 9.8 s)
      [ 1/8 12% ] 0 failed | 3 retries (2x429) | 4.6k tok | $0.0077 / est $0.06 | limit 2
      ok   refactor src/services/users.js (2 attempts, 6.3k tok, 16.9 s)
      limit: concurrency 3 of 4 (recovered)
      [ 2/8 25% ] 0 failed | 3 retries (2x429) | 14.5k tok | $0.02 / est $0.06 | limit 3
      ok   refactor src/models/user.js (2 attempts, 3.6k tok, 18.1 s)
      ok   test src/app.js (1 attempt, 5.7k tok, 11.2 s)
      [ 4/8 50% ] 0 failed | 3 retries (2x429) | 22.7k tok | $0.04 / est $0.06 | limit 3
      ok   refactor src/utils/ids.js (2 attempts, 2.5k tok, 23.6 s)
      limit: concurrency 4 of 4 (recovered)
      [ 5/8 62% ] 0 failed | 3 retries (2x429) | 30.2k tok | $0.05 / est $0.06 | limit 4
      ok   test src/services/users.js (1 attempt, 7.5k tok, 12.1 s)
      ok   test src/models/user.js (1 attempt, 4.8k tok, 13.7 s)
      [ 7/8 87% ] 0 failed | 4 retries (2x429) | 41.5k tok | $0.06 / est $0.06 | limit 4
      [ 7/8 87% ] 0 failed | 5 retries (2x429) | 44.8k tok | $0.07 / est $0.06 | limit 4
      FAIL test src/utils/ids.js: no-code-block - the answer had no fenced code block (3 attempts)
      validating 7 changed files
      problem src/services/users.js:2 missing-default: imports the default export of ../models/user.js, which no longer has one (from refactor:src/models/user.js)
      problem src/services/users.js:3 missing-export: imports \`newId\` from ../utils/ids.js, which no longer exports it (from refactor:src/utils/ids.js)
      [ 8/8 100% ] 1 failed | 5 retries (2x429) | 49k tok | $0.07 / est $0.06 | limit 4
      repair src/models/user.js round 1: fixed (1 problem)
      repair src/utils/ids.js round 1: still broken (1 problem)
      [ 8/8 100% ] 1 failed | 5 retries (2x429) | 54.8k tok | $0.08 / est $0.06 | limit 4
      repair src/utils/ids.js round 2: still broken (1 problem)
      revert src/utils/ids.js: 1 problem left after repair; refactor:src/utils/ids.js reverted
      validation: 2 problems, 1 repaired, 1 reverted
      commit 3f9c2a1 on swarm/20250612-093000-7f3a: refactor, 3 files
      commit 8a41d0e on swarm/20250612-093000-7f3a: test, 3 files
      commit c07be1d on swarm/20250612-093000-7f3a: repair, 1 file
      done: 6/8 tasks succeeded, 2 failed, 0 not run (completed)
      branch: swarm/20250612-093000-7f3a
      tokens: 39.5k in (52% cached), 15.3k out
      cost: $0.08 (estimate $0.06, +45%)
      time: 1 m 02 s
      report: /home/dev/express-api/.swarm/runs/20250612-093000-7f3a/report.md
              /home/dev/express-api/.swarm/runs/20250612-093000-7f3a/report.json
      failed:
        refactor src/utils/ids.js: reverted - reverted by validation: 1 problem(s) remained after repair (src/services/users.js:3 missing-export: imports \`newId\` from ../utils/ids.js, which no longer exports it)
        test src/utils/ids.js -> src/utils/ids.test.js: no-code-block - the answer had no fenced code block
      review:
        git log --stat HEAD..swarm/20250612-093000-7f3a
        git diff HEAD...swarm/20250612-093000-7f3a
        git push -u origin swarm/20250612-093000-7f3a && gh pr create --head swarm/20250612-093000-7f3a --title 'swarm 20250612-093000-7f3a' --body-file /home/dev/express-api/.swarm/runs/20250612-093000-7f3a/report.md
      "
    `);
  });

  it("is pure ASCII with no escape sequences", () => {
    expect(sink.text()).not.toContain("\x1b");
    expect(sink.text()).toMatch(/^[\x0a\x20-\x7e]*$/);
  });

  it("prints no line per retry or per step", () => {
    expect(sink.text()).not.toMatch(/retry refactor|step\./);
  });
});

describe("progress throttling", () => {
  it("prints at most one progress line per progressEveryMs of event time", () => {
    const at = recorder("run-1").emit;
    const events = [started(at, 0)];
    for (const t of [1000, 4999, 5000, 5001, 9999, 10_000, 10_000, 30_000]) {
      events.push(at(t, { type: "step.started", taskId: "refactor:a.js", kind: "refactor", attempt: 1, model: "m" }));
    }
    // Due at t = 5000, 10 000 (the first of the two) and 30 000.
    const progress = runPlain(events)
      .lines()
      .filter((l) => l.startsWith("["));
    expect(progress).toEqual([
      "[ 0/10 0% ] 0 failed | 0 retries | 0 tok | $0.00 | limit 8",
      "[ 0/10 0% ] 0 failed | 0 retries | 0 tok | $0.00 | limit 8",
      "[ 0/10 0% ] 0 failed | 0 retries | 0 tok | $0.00 | limit 8",
    ]);
  });

  it("uses the configured interval and nothing before run.started", () => {
    const at = recorder("run-1").emit;
    const before = at(20_000, { type: "run.warning", message: "early" });
    const events = [before, started(at, 20_000), at(20_500, { type: "limit.changed", limit: 4, max: 8, reason: "rate-limited" })];
    expect(runPlain(events, { progressEveryMs: 500 }).lines().at(-1)).toBe("[ 0/10 0% ] 0 failed | 0 retries | 0 tok | $0.00 | limit 4");
    expect(runPlain(events, { progressEveryMs: 501 }).lines().some((l) => l.startsWith("["))).toBe(false);
  });
});

describe("lines", () => {
  const at = recorder("run-1").emit;
  const base = started(at, 0);

  it("counts retries and 429s into the progress line, and tokens and cost from steps", () => {
    const events = [
      base,
      at(100, { type: "step.retry", taskId: "refactor:a.js", kind: "refactor", attempt: 1, error: { code: "rate-limited", message: "429" }, status: 429, delayMs: 1000 }),
      at(200, { type: "step.retry", taskId: "refactor:b.js", kind: "refactor", attempt: 1, error: { code: "server-error", message: "502" }, status: 502, delayMs: 1000 }),
      at(300, { type: "step.finished", taskId: "refactor:a.js", kind: "refactor", attempt: 2, ok: true, usage: { inputTokens: 1_000_000, cachedInputTokens: 0, outputTokens: 234_567 }, costUSD: 0.42, latencyMs: 1 }),
      at(400, { type: "task.failed", taskId: "refactor:b.js", role: "refactor", file: "b.js", output: "b.js", attempts: 3, error: { code: "server-error", message: "\x1b[31m502\x1b[0m\nBad Gateway" } }),
      at(5400, { type: "run.draining", reason: "interrupt" }),
    ];
    expect(runPlain(events).lines().slice(1)).toEqual([
      "FAIL refactor b.js: server-error - 502 Bad Gateway (3 attempts)",
      "draining (interrupt): waiting for in-flight tasks, starting no new ones",
      "[ 1/10 10% ] 1 failed | 2 retries (1x429) | 1.23M tok | $0.42 | limit 8",
    ]);
  });

  it("reports budgets, abort, resume and unchanged files", () => {
    const events = [
      at(0, {
        type: "run.started",
        repo: "/repo",
        branch: null,
        roles: ["refactor", "doc"],
        tasks: 900,
        files: 450,
        skipped: 3,
        concurrency: 64,
        model: "kimi-k2.6",
        estimate: { inputTokens: 1_200_000, cachedInputTokens: 900_000, outputTokens: 300_000, costUSD: 1.1, wallMs: 245_000 },
        resumed: true,
        alreadyDone: 120,
      }),
      at(1, { type: "task.finished", taskId: "doc:a.js", role: "doc", file: "a.js", output: "docs/a.js.md", attempts: 1, usage: { ...zero, outputTokens: 900 }, latencyMs: 850, wallMs: 850, changed: false }),
      at(2, { type: "budget.warning", budget: "cost", used: 0.8, limit: 1 }),
      at(3, { type: "budget.exhausted", budget: "steps", used: 4000, limit: 4000 }),
      at(4, { type: "run.aborting", reason: "interrupt" }),
    ];
    expect(runPlain(events).lines()).toEqual([
      "swarm run-1: 900 tasks (refactor, doc) over 450 files, 3 skipped; concurrency 64; model kimi-k2.6",
      "estimate: 1.2M in (75% cached), 300k out, $1.10, about 4 m 05 s",
      "resuming: 120 of 900 tasks already done",
      "ok   doc a.js (1 attempt, 900 tok, 850 ms, unchanged)",
      "budget: cost $0.80 of $1.00 (80%) used",
      "budget exhausted: steps 4000 of 4000 (100%); no new tasks will start",
      "aborting: cancelling in-flight requests",
    ]);
  });

  it("caps validation problem lines and counts the rest", () => {
    const problem = (i: number) => at(10 + i, { type: "validate.problem", problem: { file: `f${i}.js`, code: "unresolved-import", message: "x" } });
    const events = [base, ...[1, 2, 3, 4].map(problem), at(20, { type: "validate.finished", problems: 4, repaired: 0, reverted: 0 })];
    expect(runPlain(events, { maxProblemLines: 2 }).lines().slice(1)).toEqual([
      "problem f1.js unresolved-import: x",
      "problem f2.js unresolved-import: x",
      "... 2 more problems (see the report)",
      "validation: 4 problems, 0 repaired, 0 reverted",
    ]);
  });

  it("ends with the summary: failures capped, resume hint, no progress after it", () => {
    const failed = Array.from({ length: 5 }, (_, i) => ({
      taskId: `test:src/f${i}.js`,
      file: `src/f${i}.js`,
      output: `src/f${i}.test.js`,
      error: { code: "timeout" as const, message: "no answer" },
    }));
    const events = [
      base,
      at(10_000, {
        type: "run.finished",
        summary: summaryOf({ stoppedBy: "budget", budget: "cost", failed, estimatedCostUSD: null, branch: null, resumeHint: "swarm resume run-1" }, SMALL_RUN),
      }),
      at(99_000, { type: "run.warning", message: "late" }),
    ];
    expect(runPlain(events, { maxFailureLines: 2 }).lines().slice(1)).toEqual([
      "done: 1/2 tasks succeeded, 1 failed, 0 not run (stopped by the cost budget)",
      "branch: none (nothing committed)",
      "tokens: 1k in (50% cached), 300 out",
      "cost: $0.01 (no estimate)",
      "time: 12.0 s",
      "report: /repo/.swarm/runs/run-1/report.md",
      "        /repo/.swarm/runs/run-1/report.json",
      "failed:",
      "  test src/f0.js -> src/f0.test.js: timeout - no answer",
      "  test src/f1.js -> src/f1.test.js: timeout - no answer",
      "  ... and 3 more (see the report)",
      "resume: swarm resume run-1",
      "warning: late",
    ]);
  });

  it("ends with the swarm metrics when the summary carries them, in ASCII", () => {
    const events = [base, at(10_000, { type: "run.finished", summary: summaryOf({ metrics: metricsOf() }, SMALL_RUN) })];
    const lines = runPlain(events).lines();
    const from = lines.findIndex((l) => l.startsWith("completion:"));
    expect(lines.slice(from, from + 6)).toEqual([
      "completion: 88.9% (80/90), below the 95% target",
      "wall per agent (p50/p95/max): refactor 1.2 s/3.4 s/41.0 s; test 900 ms/2.1 s/3.0 s",
      "tokens per agent (p50/p95/max): refactor 1.5k/2k/9k; test 1.1k/1.4k/1.5k",
      "retries: 5 (rate-limited 4, timeout 1); 429 responses: 4",
      "outlier slow: src/big.js (refactor) 41.0 s, role p50 1.2 s",
      "outlier tokens: src/big.js (refactor) 9k, 6.0x the role median",
    ]);
    expect(lines[from + 6]).toBe("outlier ... and 1 more (see the report)");
    expect(lines[from + 7]).toBe("report: /repo/.swarm/runs/run-1/report.md");
    expect(lines.join("\n")).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it("close resolves", async () => {
    await expect(createPlainReporter({ out: collect().out }).close()).resolves.toBeUndefined();
  });
});
