import type { Plan, StepRecord, Task, TaskResult, Usage } from "../../../src/core/types.js";
import type { Problem } from "../../../src/events/types.js";
import type { BuildReportInput } from "../../../src/report/build-report.js";

// A small hand-built run: four files, refactor + test, stopped by the cost budget.
//   refactor:src/a.js  succeeded after a 429
//   refactor:src/b.js  failed (truncated ×3, answered, so billed)
//   refactor:src/c.js  succeeded, repaired once, still broken → reverted by validation
//   refactor:src/d.js  never ran (budget)
//   test:src/a.js      succeeded          test:src/b.js  not run (prerequisite failed)
//   test:src/c.js      succeeded          test:src/d.js  not run (budget, behind a not-run prerequisite)

const u = (inputTokens: number, cachedInputTokens: number, outputTokens: number): Usage => ({
  inputTokens,
  cachedInputTokens,
  outputTokens,
});

const files = ["src/a.js", "src/b.js", "src/c.js", "src/d.js"];

const tasks: Task[] = [
  ...files.map((file) => ({ id: `refactor:${file}`, role: "refactor" as const, file, output: file, dependsOn: [], bytes: 1000 })),
  ...files.map((file) => ({
    id: `test:${file}`,
    role: "test" as const,
    file,
    output: file.replace(/\.js$/, ".test.js"),
    dependsOn: [`refactor:${file}`],
    bytes: 1000,
  })),
];

export const plan: Plan = {
  version: 1,
  roles: ["refactor", "test"],
  tasks,
  files: files.map((path) => ({ path, bytes: 1000 })),
  skips: [
    { path: ".env", reason: "secret-name", detail: "looks like a secrets file" },
    { path: "public/logo.png", reason: "binary", detail: "binary file" },
  ],
};

const step = (taskId: string, kind: StepRecord["kind"], attempt: number, over: Partial<StepRecord>): StepRecord => ({
  taskId,
  kind,
  attempt,
  model: "kimi-k2.6",
  ok: true,
  usage: u(0, 0, 0),
  latencyMs: 1000,
  final: over.ok !== false,
  ...over,
});

export const steps: StepRecord[] = [
  step("refactor:src/a.js", "refactor", 1, { ok: false, status: 429, error: { code: "rate-limited", message: "429" }, latencyMs: 300 }),
  step("refactor:src/b.js", "refactor", 1, { ok: false, finishReason: "length", error: { code: "truncated", message: "cut off" }, usage: u(2000, 0, 4096), latencyMs: 30_000 }),
  step("refactor:src/a.js", "refactor", 2, { content: "new a", usage: u(1500, 1000, 600), latencyMs: 9000 }),
  step("refactor:src/c.js", "refactor", 1, { content: "new c", usage: u(1200, 1000, 500), latencyMs: 8000 }),
  step("refactor:src/b.js", "refactor", 2, { ok: false, finishReason: "length", error: { code: "truncated", message: "cut off" }, usage: u(2000, 1000, 4096), latencyMs: 31_000 }),
  step("test:src/a.js", "test", 1, { content: "test a", usage: u(2000, 1200, 900), latencyMs: 12_000 }),
  step("refactor:src/b.js", "refactor", 3, { ok: false, final: true, finishReason: "length", error: { code: "truncated", message: "cut off" }, usage: u(2000, 1000, 4096), latencyMs: 32_000 }),
  step("test:src/c.js", "test", 1, { content: "test c", usage: u(1800, 1200, 800), latencyMs: 11_000, model: "kimi-k2.5" }),
  step("refactor:src/c.js", "repair", 1, { content: "repaired c", usage: u(1400, 0, 500), latencyMs: 7000 }),
];

const result = (task: Task, over: Partial<TaskResult>): TaskResult => ({
  id: task.id,
  role: task.role,
  file: task.file,
  output: task.output,
  status: "succeeded",
  attempts: 1,
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  latencyMs: 0,
  wallMs: 0,
  ...over,
});
const byId = (id: string) => tasks.find((t) => t.id === id)!;

export const results: TaskResult[] = [
  result(byId("refactor:src/a.js"), { attempts: 2, inputTokens: 1500, cachedInputTokens: 1000, outputTokens: 600, latencyMs: 9300, wallMs: 12_000, content: "new a", changed: true }),
  result(byId("refactor:src/b.js"), { status: "failed", attempts: 3, inputTokens: 6000, cachedInputTokens: 2000, outputTokens: 12_288, latencyMs: 93_000, wallMs: 96_000, error: { code: "truncated", message: "answer cut off at max_tokens" } }),
  result(byId("refactor:src/c.js"), { inputTokens: 1200, cachedInputTokens: 1000, outputTokens: 500, latencyMs: 8000, wallMs: 8000, content: "new c", changed: true }),
  result(byId("test:src/a.js"), { inputTokens: 2000, cachedInputTokens: 1200, outputTokens: 900, latencyMs: 12_000, wallMs: 12_000, content: "test a", changed: true }),
  result(byId("test:src/c.js"), { inputTokens: 1800, cachedInputTokens: 1200, outputTokens: 800, latencyMs: 11_000, wallMs: 11_000, content: "test c", changed: false }),
];

const problem: Problem = {
  file: "src/a.js",
  line: 3,
  code: "missing-export",
  message: "imports `helper` from ./c.js, which no longer exports it",
  target: "src/c.js",
  blame: "refactor:src/c.js",
};

export function sampleInput(over: Partial<BuildReportInput> = {}): BuildReportInput {
  return {
    runId: "20250612-093000-7f3a",
    repo: "/repo",
    branch: "swarm/20250612-093000-7f3a",
    baseSha: "0123456789abcdef0123456789abcdef01234567",
    startedAt: new Date(Date.UTC(2025, 5, 12, 9, 30, 0)),
    durationMs: 245_000,
    stoppedBy: "budget",
    budget: "cost",
    instruction: "Convert to ESM and async/await.",
    models: ["kimi-k2.6"],
    plan,
    results,
    steps,
    estimate: {
      byRole: {
        refactor: { tasks: 4, inputTokens: 8000, cachedInputTokens: 4000, outputTokens: 4000, costUSD: 0.02 },
        test: { tasks: 4, inputTokens: 8000, cachedInputTokens: 4000, outputTokens: 4000, costUSD: 0.02 },
      },
      total: { tasks: 8, inputTokens: 16_000, cachedInputTokens: 8000, outputTokens: 8000, costUSD: 0.04 },
    },
    costUSD: 0.0625,
    commits: [
      { role: "refactor", sha: "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", files: ["src/a.js"] },
      { role: "test", sha: "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", files: ["src/a.test.js", "src/c.test.js"] },
    ],
    validation: {
      problems: [problem],
      repairs: [{ taskId: "refactor:src/c.js", file: "src/c.js", round: 1, problems: [problem], fixed: false }],
      reverts: [{ taskId: "refactor:src/c.js", file: "src/c.js", problems: [problem] }],
    },
    resumeHint: "swarm resume 20250612-093000-7f3a /repo",
    ...over,
  };
}
