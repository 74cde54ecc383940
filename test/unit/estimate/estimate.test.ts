import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configSchema, type ResolvedConfig } from "../../../src/config/schema.js";
import { SwarmError } from "../../../src/core/errors.js";
import type { Plan, Task } from "../../../src/core/types.js";
import {
  estimatePlan,
  estimateStepCostUSD,
  estimateStepUsage,
  expectedOutputTokens,
  longestChain,
  OUTPUT_RATIOS,
  calibrationSource,
  lastBlockOf,
  type Estimate,
} from "../../../src/estimate/estimate.js";
import { loadPricing } from "../../../src/estimate/pricing.js";
import { countMessageTokens, countTokens } from "../../../src/estimate/tokenizer.js";
import { buildMessages, type ChatMessage } from "../../../src/prompt/build-messages.js";
import { parseAnswer } from "../../../src/prompt/parse-answer.js";
import { synthesizeFiles } from "../../support/generate-repo.js";

const sources: Record<string, string> = {
  "src/a.js": "export function add(a, b) {\n  return a + b;\n}\n".repeat(20),
  "src/b.js": "import { add } from './a.js';\nexport const twice = (x) => add(x, x);\n".repeat(10),
  "src/c.js": "module.exports = { c: 3 };\n",
};

const t = (role: Task["role"], file: string, output: string, dependsOn: string[] = []): Task => ({
  id: `${role}:${file}`,
  role,
  file,
  output,
  dependsOn,
  bytes: Buffer.byteLength(sources[file]),
});

const plan: Plan = {
  version: 1,
  roles: ["refactor", "test", "doc"],
  tasks: [
    t("refactor", "src/a.js", "src/a.js"),
    t("refactor", "src/b.js", "src/b.js"),
    t("refactor", "src/c.js", "src/c.js"),
    t("test", "src/a.js", "src/a.test.js", ["refactor:src/a.js"]),
    t("doc", "src/b.js", "docs/src/b.js.md", ["refactor:src/b.js"]),
    t("doc", "src/c.js", "docs/src/c.js.md", ["refactor:src/c.js"]),
  ],
  files: Object.keys(sources).map((path) => ({ path, bytes: Buffer.byteLength(sources[path]) })),
  skips: [],
};

const config = (input: Record<string, unknown> = {}): ResolvedConfig =>
  configSchema.parse({ instruction: "Modernize.", conventions: "ESM only.", ...input });

const messagesFor =
  (c: ResolvedConfig) =>
  (task: Task): ChatMessage[] =>
    buildMessages({
      task,
      instruction: c.instruction ?? "",
      conventions: c.conventions,
      source: { path: task.file, content: sources[task.file] },
    });

/** A role's first attempts, uncalibrated: byRole adds the expected retries on top. */
const firstOf = (e: Estimate, role: Task["role"]) =>
  plan.tasks
    .filter((task) => task.role === role)
    .reduce(
      (sum, task) => {
        const u = e.perTaskUncalibrated![task.id]!.usage;
        return { inputTokens: sum.inputTokens + u.inputTokens, cachedInputTokens: sum.cachedInputTokens + u.cachedInputTokens, outputTokens: sum.outputTokens + u.outputTokens };
      },
      { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 },
    );

const prefixTokens = (messages: ChatMessage[]) => countTokens(messages[0].content) + 4 + countTokens(messages[1].content) + 4;

describe("estimatePlan", () => {
  const c = config();
  const pricing = loadPricing();
  const estimate = estimatePlan({ plan, config: c, messagesFor: messagesFor(c), pricing });

  it("counts tasks and steps per role", () => {
    expect(estimate.byRole.refactor).toMatchObject({ tasks: 3 });
    expect(estimate.byRole.test).toMatchObject({ tasks: 1 });
    expect(estimate.byRole.doc).toMatchObject({ tasks: 2 });
    expect(estimate.total).toMatchObject({ tasks: 6 });
    // Steps: one first attempt per task, plus the expected retries (3% by default) and repairs.
    expect(estimate.lines!.firstAttempts.steps).toBe(6);
    expect(estimate.byRole.refactor.steps).toBeCloseTo(3 * 1.03, 9);
    expect(estimate.total.steps).toBeCloseTo(6 * 1.03 + 3 * 0.05 + 1 * 0.1, 9);
    expect(estimate.calibrated).toBe(false);
  });

  it("per-role sums equal the total", () => {
    // byRole holds a "repair" row too: repair steps are a step kind of their own.
    const roles = Object.values(estimate.byRole);
    expect(Object.keys(estimate.byRole)).toEqual(["refactor", "test", "doc", "repair"]);
    for (const key of ["tasks", "steps", "inputTokens", "cachedInputTokens", "outputTokens"] as const) {
      expect(roles.reduce((sum, r) => sum + r[key], 0)).toBe(estimate.total[key]);
    }
    expect(roles.reduce((sum, r) => sum + r.costUSD, 0)).toBeCloseTo(estimate.total.costUSD, 12);
  });

  it("input is the exact message count; the first task of a role pays the prefix, later ones get it cached", () => {
    const refactors = plan.tasks.filter((task) => task.role === "refactor").map(messagesFor(c));
    expect(firstOf(estimate, "refactor").inputTokens).toBe(refactors.reduce((sum, m) => sum + countMessageTokens(m), 0));
    expect(firstOf(estimate, "refactor").cachedInputTokens).toBe(2 * prefixTokens(refactors[0]));
    // One test task: nobody paid its prefix before it.
    expect(firstOf(estimate, "test").cachedInputTokens).toBe(0);
    const docs = plan.tasks.filter((task) => task.role === "doc").map(messagesFor(c));
    expect(firstOf(estimate, "doc").cachedInputTokens).toBe(prefixTokens(docs[0]));
  });

  it("output follows the per-role ratios on the source's tokens", () => {
    const tokens = (file: string) => countTokens(sources[file]);
    expect(firstOf(estimate, "refactor").outputTokens).toBe(
      ["src/a.js", "src/b.js", "src/c.js"].reduce((sum, f) => sum + Math.ceil(1.05 * tokens(f)), 0),
    );
    expect(firstOf(estimate, "test").outputTokens).toBe(Math.ceil(0.6 * tokens("src/a.js") + 100));
    expect(firstOf(estimate, "doc").outputTokens).toBe(
      Math.ceil(0.2 * tokens("src/b.js") + 60) + Math.ceil(0.2 * tokens("src/c.js") + 60),
    );
  });

  it("prices each role's usage with the routed model", () => {
    const r = estimate.byRole.refactor;
    expect(r.costUSD).toBeCloseTo(
      pricing.costUSD("kimi-k2.6", { inputTokens: r.inputTokens, cachedInputTokens: r.cachedInputTokens, outputTokens: r.outputTokens }),
      12,
    );
  });

  it("records each task's first-attempt cost, summing to the first-attempts line; the total adds retries and repairs", () => {
    expect(Object.keys(estimate.perTaskUSD).sort()).toEqual(plan.tasks.map((task) => task.id).sort());
    const sum = Object.values(estimate.perTaskUSD).reduce((a, b) => a + b, 0);
    const { firstAttempts, retries, repairs } = estimate.lines!;
    expect(sum).toBeCloseTo(firstAttempts.costUSD, 12);
    expect(firstAttempts.costUSD + retries.costUSD + repairs.costUSD).toBeCloseTo(estimate.total.costUSD, 12);
    expect(retries.costUSD).toBeGreaterThan(0);
    expect(repairs.costUSD).toBeGreaterThan(0);
    expect(estimate.rangeUSD!.low).toBeLessThan(estimate.total.costUSD);
    expect(estimate.rangeUSD!.high).toBeGreaterThan(estimate.total.costUSD);
    expect(estimate.perTaskUSD["refactor:src/b.js"]).toBeGreaterThan(0);
  });

  it("wall time is the critical path or the waves, whichever is longer", () => {
    // Validation on: one repair wave follows; validation and commit time come after the requests.
    expect(estimate.timeMs!.requests).toBe((2 + 1) * 20_000);
    expect(estimate.wallMs).toBe(estimate.timeMs!.requests + estimate.timeMs!.validation + estimate.timeMs!.commit);
    expect(estimate.timeMs!.validation).toBeGreaterThan(0);
    const off = { validate: { enabled: false } };
    const serial = estimatePlan({ plan, config: config({ ...off, concurrency: 4 }), messagesFor: messagesFor(c), pricing });
    expect(serial.timeMs).toMatchObject({ requests: 2 * 20_000, validation: 0 }); // ceil(6.18 / 4) = 2 waves = critical path
    const one = estimatePlan({ plan, config: config({ ...off, concurrency: 1, estimate: { assumedLatencyMs: 1000 } }), messagesFor: messagesFor(c), pricing });
    expect(one.timeMs!.requests).toBe(7 * 1000); // 6 first attempts + 0.18 expected retries
    expect(one.lines!.repairs).toMatchObject({ steps: 0, costUSD: 0, source: "validation off" });
  });

  it("lists its assumptions, prices and their provenance included", () => {
    expect(estimate.assumptions.join("\n")).toMatch(/retries: stated default rates per task \(transient 0\.020, format 0\.010\); repairs: stated default/);
    expect(estimate.assumptions.join("\n")).toMatch(/kimi-k2\.6: \$0\.95 input, \$0\.16 cached input, \$4 output/);
    expect(estimate.assumptions.join("\n")).toMatch(/thinking/);
    const noThinking = config({ routing: { refactor: { thinking: false }, test: { thinking: false }, doc: { thinking: false }, repair: { thinking: false } } });
    const quiet = estimatePlan({ plan, config: noThinking, messagesFor: messagesFor(noThinking), pricing });
    expect(quiet.assumptions.join("\n")).not.toMatch(/thinking/);
  });

  it("keys the prefix cache on role and model, and respects minCacheTokens", () => {
    // gpt-4.1 caches only prefixes of 1024+ tokens; our prefix is shorter, so nothing is cached for doc.
    const routed = config({ routing: { doc: { model: "gpt-4.1" } } });
    const e = estimatePlan({ plan, config: routed, messagesFor: messagesFor(routed), pricing });
    expect(firstOf(e, "doc").cachedInputTokens).toBe(0);
    expect(firstOf(e, "refactor").cachedInputTokens).toBe(firstOf(estimate, "refactor").cachedInputTokens);
    // With a low threshold from config, the second doc task hits the cache.
    const cheap = loadPricing({ "gpt-4.1": { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8, minCacheTokens: 0 } });
    const e2 = estimatePlan({ plan, config: routed, messagesFor: messagesFor(routed), pricing: cheap });
    expect(e2.byRole.doc.cachedInputTokens).toBeGreaterThan(0);
  });

  it("scales by calibration ratios and says so", () => {
    const calibrated = estimatePlan({
      plan,
      config: c,
      messagesFor: messagesFor(c),
      pricing,
      calibration: { "kimi-k2.6|refactor": { input: 2, output: 0.5 } },
    });
    expect(calibrated.calibrated).toBe(true);
    expect(calibrated.byRole.test).toEqual(estimate.byRole.test);
    const perTask = plan.tasks.filter((task) => task.role === "refactor").map(messagesFor(c));
    expect(calibrated.lines!.firstAttempts.usage.inputTokens - estimate.lines!.firstAttempts.usage.inputTokens).toBe(
      perTask.reduce((sum, m) => sum + Math.round(countMessageTokens(m) * 2) - countMessageTokens(m), 0),
    );
    expect(calibrated.byRole.refactor.outputTokens).toBeLessThan(estimate.byRole.refactor.outputTokens);
  });

  it("scales cached input by its own ratio, counts the runs behind the ratios, and keeps the uncalibrated figures for the next calibration", () => {
    const calibrated = estimatePlan({
      plan,
      config: c,
      messagesFor: messagesFor(c),
      pricing,
      calibration: { "kimi-k2.6|refactor": { input: 1, output: 1, cachedInput: 0.5, runs: 3, tasks: 30 }, "kimi-k2.6|doc": { input: 1, output: 1, runs: 1 } },
    });
    expect(calibrated.calibratedFromRuns).toBe(3);
    expect(calibrated.assumptions.join("\n")).toContain("calibrated from 3 runs");
    const refactors = plan.tasks.filter((task) => task.role === "refactor");
    const halved = refactors.reduce((sum, task) => sum + Math.round(estimate.perTaskUncalibrated![task.id]!.usage.cachedInputTokens * 0.5), 0);
    expect(calibrated.lines!.firstAttempts.usage.cachedInputTokens).toBe(halved + firstOf(estimate, "doc").cachedInputTokens + firstOf(estimate, "test").cachedInputTokens);
    expect(calibrated.perTaskUncalibrated).toEqual(estimate.perTaskUncalibrated);
    expect(estimate.calibratedFromRuns).toBeUndefined();
  });

  it("calibrated retries and repairs: measured tokens per estimated token of each task, and the measured latency", () => {
    const ratio = { input: 1, output: 1, runs: 1, tasks: 3, retries: { perTask: { transient: 0.5, format: 0, edit: 0 }, usage: { input: 0.5, output: 0.25 } }, repairs: { perTask: 1, usage: { input: 2, output: 1 } }, latencyMs: { p50: 5000, p90: 9000 } };
    const e = estimatePlan({ plan, config: c, messagesFor: messagesFor(c), pricing, calibration: { "kimi-k2.6|refactor": ratio } });
    const first = firstOf(estimate, "refactor");
    expect(e.lines!.retries.source).toBe("calibrated");
    expect(e.lines!.repairs.source).toBe("calibrated");
    // The retry line holds the refactors' measured overhead plus the defaults of the uncalibrated test and doc tasks.
    const refactorRetries = e.byRole.refactor.inputTokens - firstOf(e, "refactor").inputTokens;
    expect(refactorRetries).toBeCloseTo(first.inputTokens * 0.5, -1);
    expect(e.byRole.refactor.steps).toBeCloseTo(3 * 1.5, 9);
    expect(e.lines!.repairs.steps).toBeCloseTo(3 * 1 + 1 * 0.1, 9); // refactors measured, the test task's default
    expect(e.byRole.repair!.outputTokens).toBeGreaterThanOrEqual(first.outputTokens);
    expect(e.assumptions.join("\n")).toContain("ms measured median latency");
  });

  it("a sample's calibration is named as a sample, never as a run", () => {
    const fromSample = estimatePlan({ plan, config: c, messagesFor: messagesFor(c), pricing, calibration: { "kimi-k2.6|refactor": { input: 1, output: 1, runs: 0, tasks: 4, sampleRuns: 1, sampleTasks: 4 } } });
    expect(fromSample.calibrated).toBe(true);
    expect(fromSample.calibratedFromRuns).toBeUndefined();
    expect(fromSample.calibratedFromSampleTasks).toBe(4);
    expect(fromSample.assumptions.join("\n")).toContain("calibrated from a sample of 4 tasks:");
    expect(fromSample.assumptions.join("\n")).not.toMatch(/from \d+ runs?/);
    expect(calibrationSource(2, 4)).toBe("calibrated from 2 runs and a sample of 4 tasks");
  });

  it("reserves more than the estimate for a step in flight, never beyond max_tokens", () => {
    for (const task of plan.tasks) {
      expect(estimate.perTaskReserveUSD![task.id]).toBeGreaterThan(estimate.perTaskUSD[task.id]!);
    }
    const tight = config({ routing: { refactor: { maxOutputTokens: 1 } } });
    const e = estimatePlan({ plan, config: tight, messagesFor: messagesFor(tight), pricing });
    const id = "refactor:src/a.js";
    const input = e.perTaskUncalibrated![id]!.usage.inputTokens;
    expect(e.perTaskReserveUSD![id]).toBeCloseTo(pricing.costUSD("kimi-k2.6", { inputTokens: Math.ceil(input * 1.1), cachedInputTokens: 0, outputTokens: 1 }), 12);
  });

  it("ignores unusable calibration ratios", () => {
    const e = estimatePlan({ plan, config: c, messagesFor: messagesFor(c), pricing, calibration: { "kimi-k2.6|refactor": { input: Number.NaN, output: 0 } } });
    expect(e.calibrated).toBe(false);
    expect(e.total).toEqual(estimate.total);
  });

  it("throws the pricing usage error for a routed model without a price", () => {
    const c2 = config({ routing: { test: { model: "unknown-model" } } });
    expect(() => estimatePlan({ plan, config: c2, messagesFor: messagesFor(c2), pricing })).toThrow(SwarmError);
  });

  it("is zero for an empty plan", () => {
    const e = estimatePlan({ plan: { ...plan, tasks: [] }, config: c, messagesFor: messagesFor(c), pricing });
    expect(e.total).toEqual({ tasks: 0, steps: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUSD: 0 });
    expect(e.timeMs!.requests).toBe(0);
  });
});

describe("longestChain", () => {
  it("follows dependsOn and survives unknown ids and cycles", () => {
    expect(longestChain([])).toBe(0);
    expect(longestChain(plan.tasks)).toBe(2);
    const chain = (id: string, deps: string[]): Task => ({ id, role: "refactor", file: id, output: id, dependsOn: deps, bytes: 1 });
    expect(longestChain([chain("a", []), chain("b", ["a"]), chain("c", ["b", "missing"]), chain("d", ["a"])])).toBe(3);
    expect(() => longestChain([chain("x", ["y"]), chain("y", ["x"])])).not.toThrow();
  });
});

describe("step estimates (cost budget reserve)", () => {
  const messages = messagesFor(config())(plan.tasks[0]);

  it("counts all input as uncached and the expected output, capped at max_tokens", () => {
    const sourceTokens = countTokens(sources["src/a.js"]);
    expect(estimateStepUsage({ messages }, "refactor")).toEqual({
      inputTokens: countMessageTokens(messages),
      cachedInputTokens: 0,
      outputTokens: Math.ceil(1.05 * sourceTokens),
    });
    expect(estimateStepUsage({ messages, maxOutputTokens: 10 }, "refactor").outputTokens).toBe(10);
  });

  it("prices it with the request's model", () => {
    const pricing = loadPricing();
    const request = { model: "kimi-k2.6", messages, maxOutputTokens: 16_384 };
    expect(estimateStepCostUSD(pricing, request, "refactor")).toBeCloseTo(pricing.costUSD("kimi-k2.6", estimateStepUsage(request, "refactor")), 12);
    expect(estimateStepCostUSD(pricing, request, "doc")).toBeLessThan(estimateStepCostUSD(pricing, request, "refactor"));
  });

  it("expectedOutputTokens follows OUTPUT_RATIOS", () => {
    expect(expectedOutputTokens("refactor", 1000)).toBe(1050);
    expect(expectedOutputTokens("test", 1000)).toBe(700);
    expect(expectedOutputTokens("doc", 1000)).toBe(260);
    expect(expectedOutputTokens("repair", 1000)).toBe(1050);
    expect(expectedOutputTokens("doc", -5)).toBe(OUTPUT_RATIOS.doc.fixed);
  });
});

describe("a prompt counted by its parts (issue 16: a file's block is tokenized once for its refactor, test and doc)", () => {
  it("finds the file's block where parseAnswer reads it, in any prompt buildMessages writes", () => {
    const piece = fc.oneof(
      fc.constantFrom("`", "``", "```", "````", "```ts", "~~~", "\n", "\r\n", "\r", " ", "\t", "  ", "/", "//", "\u00a0", "x"),
      fc.string({ maxLength: 10 }),
    );
    const content = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(content, fc.constantFrom<Task["role"]>("refactor", "test", "doc"), (text, role) => {
        const task: Task = { id: `${role}:src/x.ts`, role, file: "src/x.ts", output: role === "refactor" ? "src/x.ts" : "src/x.test.ts", dependsOn: [], bytes: text.length };
        const last = buildMessages({ task, instruction: "Modernize.", conventions: "", source: { path: task.file, content: text } }).at(-1)!.content;
        const block = lastBlockOf(last);
        const parsed = parseAnswer(last, "stop");
        if (block === null) expect(parsed.ok).toBe(false);
        else expect(parsed.ok && parsed.content).toBe(last.slice(block.start, block.end));
        // Counted by its parts, the prompt is the whole messages' count, whatever the file holds.
        const single: Plan = { ...plan, tasks: [task], files: [{ path: task.file, bytes: text.length }] };
        const messages = (t: Task) => buildMessages({ task: t, instruction: "Modernize.", conventions: "", source: { path: t.file, content: text } });
        const e = estimatePlan({ plan: single, config: config(), messagesFor: messages, pricing: loadPricing() });
        expect(e.perTaskUncalibrated![task.id]!.usage.inputTokens).toBe(countMessageTokens(messages(task)));
      }),
      { seed: 16, numRuns: 300 },
    );
  });

  it("counts each prompt as the whole messages' count, and each file's tokens (generated repos)", () => {
    for (const style of ["esm-ts", "cjs"] as const) {
      const files = synthesizeFiles({ files: 60, seed: 5, style, avgBytes: 1500 });
      const content = new Map(files.map((f) => [f.path, f.content]));
      const tasks = files.flatMap((f) =>
        (["refactor", "test", "doc"] as const).map((role): Task => ({ id: `${role}:${f.path}`, role, file: f.path, output: role === "refactor" ? f.path : `${f.path}.${role}`, dependsOn: [], bytes: Buffer.byteLength(f.content) })),
      );
      const c = config();
      const messagesOf = (task: Task) => buildMessages({ task, instruction: "Modernize.", conventions: "ESM only.", source: { path: task.file, content: content.get(task.file)! } });
      const e = estimatePlan({ plan: { ...plan, tasks, files: files.map((f) => ({ path: f.path, bytes: f.content.length })) }, config: c, messagesFor: messagesOf, pricing: loadPricing() });
      for (const task of tasks) {
        const usage = e.perTaskUncalibrated![task.id]!.usage;
        expect(usage.inputTokens).toBe(countMessageTokens(messagesOf(task)));
        if (task.role === "refactor") expect(usage.outputTokens).toBe(Math.ceil(1.05 * countTokens(content.get(task.file)!)));
      }
    }
  });
});
