import { describe, expect, it } from "vitest";
import { buildReport } from "../../../src/report/build-report.js";
import {
  describeCost,
  renderReportMarkdown,
  renderStepSummary,
  renderTerminalReport,
} from "../../../src/report/render-markdown.js";
import type { Report } from "../../../src/report/types.js";
import { sampleInput } from "./sample-input.js";

/** The lines of one `##`-level section, heading included, up to the next heading of the same level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split("\n");
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no section ${heading}`);
  const level = heading.split(" ")[0];
  const end = lines.findIndex((l, i) => i > start && l.startsWith("#") && l.split(" ")[0].length <= level.length);
  return lines.slice(start, end < 0 ? undefined : end).join("\n").trimEnd();
}

const report = buildReport(sampleInput());
const markdown = renderReportMarkdown(report);

describe("renderReportMarkdown", () => {
  it("opens with the headline facts", () => {
    expect(markdown.split("\n").slice(0, 5).join("\n")).toMatchInlineSnapshot(`
      "# swarm run 20250612-093000-7f3a

      **3/8 tasks succeeded, 2 failed, 3 not run** · on branch \`swarm/20250612-093000-7f3a\` · cost $0.06 (estimate $0.04, +56%) · 4 m 05 s · stopped by the cost budget

      > Convert to ESM and async/await."
    `);
  });

  it("has a table per role", () => {
    expect(section(markdown, "## Tasks by role")).toMatchInlineSnapshot(`
      "## Tasks by role

      | Role | Tasks | Succeeded | Failed | Not run |
      | --- | ---: | ---: | ---: | ---: |
      | refactor | 4 | 1 | 2 | 1 |
      | test | 4 | 2 | 0 | 2 |
      | **total** | 8 | 3 | 2 | 3 |"
    `);
  });

  it("compares estimate and actual with error per cell", () => {
    expect(section(markdown, "## Estimate vs actual")).toMatchInlineSnapshot(`
      "## Estimate vs actual

      | Role | Input tokens | Cached input | Output tokens | Cost |
      | --- | --- | --- | --- | --- |
      | refactor | 8k → 8.7k (+9%) | 4k → 4k (0%) | 4k → 13.4k (+235%) | $0.02 → ? |
      | test | 8k → 3.8k (-53%) | 4k → 2.4k (-40%) | 4k → 1.7k (-58%) | $0.02 → ? |
      | repair | – → 1.4k | – → 0 | – → 500 | – → ? |
      | **total** | 16k → 13.9k (-13%) | 8k → 6.4k (-20%) | 8k → 15.6k (+95%) | $0.04 → $0.06 (+56%) |

      Each cell: estimate → actual (error). Repair requests are not estimated. The estimate was not calibrated.

      Cache hits: 46.0% of input tokens (estimate 50.0%)."
    `);
  });

  it("shows metrics with their flags", () => {
    const metrics = section(markdown, "## Metrics");
    expect(metrics).toContain("- Completion: 37.5% (3/8) — **below the 95% target**");
    expect(metrics).toContain("- Retries: 3 (truncated 2, rate-limited 1); rate-limited (429) responses: 1");
    expect(metrics).toContain("| refactor | 3 | 12.0 s | 1 m 36 s | 1 m 36 s | 2.1k | 18.3k | 18.3k |");
    expect(metrics).toContain("- `src/b.js` (refactor): 18.3k tokens, 8.7× the median 2.1k");
  });

  it("says what is not on the branch and why", () => {
    const missing = section(markdown, "## Not on the branch");
    expect(missing).toContain("5 planned output(s) are not on the branch.");
    expect(missing).toContain("| `src/b.js` | refactor | 3 | `truncated` answer cut off at max_tokens |");
    expect(section(markdown, "### Not run")).toMatchInlineSnapshot(`
      "### Not run

      - \`budget\`: 2
      - \`dependency-failed\`: 1

      - \`src/d.js\` (refactor): not started: the cost budget ran out
      - \`src/b.test.js\` (test): not started: prerequisite refactor:src/b.js failed
      - \`src/d.test.js\` (test): not started: the cost budget ran out"
    `);
  });

  it("lists validation repairs and reverts, skips, commits and the resume command", () => {
    const validation = section(markdown, "## Validation");
    expect(validation).toContain("1 problem(s) introduced by the run · 1 repair round(s), 0 fixed · 1 file(s) reverted");
    expect(validation).toContain("- `src/c.js` round 1: still broken (1 problem(s))");
    expect(validation).toContain("- `src/c.js` (`refactor:src/c.js`): `missing-export`");
    expect(section(markdown, "## Skipped files")).toContain("| `.env` | secret-name | looks like a secrets file |");
    expect(section(markdown, "## Commits")).toContain("| test | `2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb` | 2 |");
    expect(section(markdown, "## Resume")).toContain("swarm resume 20250612-093000-7f3a /repo");
  });

  it("keeps table cells on one line and escapes pipes", () => {
    const nasty = buildReport(
      sampleInput({
        results: sampleInput().results.map((r) =>
          r.id === "refactor:src/b.js" ? { ...r, error: { code: "truncated", message: "a | b\nsecond line" } } : r,
        ),
      }),
    );
    expect(renderReportMarkdown(nasty)).toContain("| `src/b.js` | refactor | 3 | `truncated` a \\| b second line |");
  });

  it("caps long lists and points at report.json", () => {
    const many: Report = {
      ...report,
      skips: Array.from({ length: 60 }, (_, i) => ({ path: `big/${i}.bin`, reason: "binary" as const, detail: "binary file" })),
    };
    const skips = section(renderReportMarkdown(many), "## Skipped files");
    expect(skips).toContain("`big/49.bin`");
    expect(skips).not.toContain("`big/50.bin`");
    expect(skips).toContain("…and 10 more (see report.json).");
  });

  it("handles a run without estimate, validation or failures", () => {
    const clean = buildReport(
      sampleInput({
        stoppedBy: "completed",
        estimate: null,
        validation: null,
        plan: { ...sampleInput().plan, tasks: sampleInput().plan.tasks.slice(0, 1), skips: [] },
      }),
    );
    const md = renderReportMarkdown(clean);
    expect(md).toContain("**1/1 tasks succeeded** · on branch");
    expect(md).toContain("cost $0.06 (no estimate)");
    expect(md).toContain("No estimate was made for this run.");
    expect(md).toContain("Validation did not run.");
    expect(md).not.toContain("## Not on the branch");
    expect(md).not.toContain("## Resume");
  });
});

describe("renderStepSummary", () => {
  it("is the short version", () => {
    const summary = renderStepSummary(report);
    expect(summary).toMatchInlineSnapshot(`
      "### swarm run 20250612-093000-7f3a

      **3/8 tasks succeeded, 2 failed, 3 not run** · branch \`swarm/20250612-093000-7f3a\` · cost $0.06 (estimate $0.04, +56%) · 4 m 05 s · stopped by the cost budget

      | Role | Tasks | Succeeded | Failed | Not run |
      | --- | ---: | ---: | ---: | ---: |
      | refactor | 4 | 1 | 2 | 1 |
      | test | 4 | 2 | 0 | 2 |
      | **total** | 8 | 3 | 2 | 3 |

      Tokens: 13.9k in (46% cached) · 15.6k out
      Validation: 1 problem(s), 0 repaired, 1 reverted
      Commits: refactor \`1111111\` (1 file), test \`2222222\` (2 files)

      #### Failed

      | Output | Role | Error |
      | --- | --- | --- |
      | \`src/b.js\` | refactor | \`truncated\` answer cut off at max_tokens |
      | \`src/c.js\` | refactor | \`reverted\` reverted by validation: 1 problem(s) remained after repair (src/a.js:3 missing-export: imports \`helper\` from ./c.js, which no longer exports it) |

      #### Metrics

      Completion: 37.5% (3/8) — **below the 95% target**
      Retries: 3 (truncated 2, rate-limited 1); rate-limited (429) responses: 1

      | Role | Agents | Wall p50 | Wall p95 | Wall max | Tokens p50 | Tokens max |
      | --- | ---: | ---: | ---: | ---: | ---: | ---: |
      | refactor | 3 | 12.0 s | 1 m 36 s | 1 m 36 s | 2.1k | 18.3k |
      | test | 2 | 11.0 s | 12.0 s | 12.0 s | 2.6k | 2.9k |

      Token outliers (over 3× their role's median): \`src/b.js\` 18.3k (8.7×)

      Not run: 3 (\`budget\` 2 · \`dependency-failed\` 1)

      Resume with \`swarm resume 20250612-093000-7f3a /repo\`
      "
    `);
    expect(summary.length).toBeLessThan(markdown.length / 2);
  });
});

describe("renderTerminalReport", () => {
  it("has no ANSI unless asked", () => {
    const plain = renderTerminalReport(report, { color: false });
    expect(plain).not.toContain("\x1b");
    expect(plain).toContain("3/8 tasks succeeded, 2 failed, 3 not run");
    expect(plain).toContain("FAIL refactor src/b.js: truncated - answer cut off at max_tokens");
    expect(plain).toContain("not run: budget 2, dependency-failed 1");
    expect(plain).toContain("resume: swarm resume 20250612-093000-7f3a /repo");
    expect(plain.split("\n").slice(9, 12)).toEqual([
      "role      tasks  ok  failed  not run",
      "refactor      4   1       2        1",
      "test          4   2       0        2",
    ]);
  });

  it("colours when asked, with the same text underneath", () => {
    const coloured = renderTerminalReport(report, { color: true });
    expect(coloured).toContain("\x1b[31mFAIL\x1b[39m");
    expect(coloured.replace(/\x1b\[\d+m/g, "")).toBe(renderTerminalReport(report, { color: false }));
  });
});

describe("describeCost", () => {
  it.each([
    [0.42, 1.1, "$0.42 (estimate $1.10, -62%)"],
    [0.0042, null, "$0.0042 (no estimate)"],
    [0.5, 0, "$0.50 (estimate $0.00, n/a)"],
  ])("%s vs %s", (cost, est, expected) => {
    expect(describeCost(cost, est)).toBe(expected);
  });
});
