import { describe, expect, it } from "vitest";
import type { Plan, Task, TaskResult } from "../../../src/core/types.js";
import { EventBus } from "../../../src/events/bus.js";
import { computeBaseline } from "../../../src/validate/baseline.js";
import type { RepairRequest, RepairRunner } from "../../../src/validate/repair.js";
import { validateChanges } from "../../../src/validate/validate-run.js";

// Repairs of a large refactored file ask for SEARCH/REPLACE edits of the broken content; small ones stay whole.

const padding = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};\n`).join("");
const HEAD: Record<string, string> = {
  "package.json": JSON.stringify({ name: "demo", type: "module" }),
  "src/big.js": `export function used() {}\n${padding(400)}`,
  "src/small.js": "export function tiny() {}\n",
  "src/app.js": 'import { used } from "./big.js";\nimport { tiny } from "./small.js";\nused();\ntiny();\n',
};
const refactor = (file: string): Task => ({ id: `refactor:${file}`, role: "refactor", file, output: file, dependsOn: [], bytes: HEAD[file]!.length });
const TASKS = ["src/big.js", "src/small.js", "src/app.js"].map(refactor);
const PLAN: Plan = { version: 1, roles: ["refactor"], tasks: TASKS, files: [], skips: [] };

const BROKEN: Record<string, string> = {
  "src/big.js": HEAD["src/big.js"]!.replace("function used()", "function usedRenamed()"),
  "src/small.js": "export function tinyRenamed() {}\n",
};

describe("repairs with edits", () => {
  it("a repair of a file above editThresholdTokens asks for edits of its broken content; a small one stays whole", async () => {
    const calls: RepairRequest[] = [];
    const repair: RepairRunner = async (requests) => {
      calls.push(...requests);
      return new Map();
    };
    const results = new Map(
      TASKS.map((t): [string, TaskResult] => {
        const content = BROKEN[t.output] ?? HEAD[t.output]!;
        return [t.id, { id: t.id, role: t.role, file: t.file, output: t.output, status: "succeeded", attempts: 1, inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, latencyMs: 1, wallMs: 1, content, changed: t.output in BROKEN }];
      }),
    );
    await validateChanges({
      baseline: computeBaseline(new Map(Object.entries(HEAD))),
      plan: PLAN,
      results,
      bus: new EventBus("run-1"),
      maxRepairs: 1,
      repair,
      prompt: { instruction: "x", conventions: "", maxContextTokens: 500, countTokens: (t) => Math.ceil(t.length / 4), edits: { setting: "auto", thresholdTokens: 2000 } },
      isChange: () => true,
    });
    const big = calls.find((r) => r.task.file === "src/big.js")!;
    const small = calls.find((r) => r.task.file === "src/small.js")!;
    expect(big.edit).toEqual({ path: "src/big.js", content: BROKEN["src/big.js"] });
    expect(String(big.messages[0]!.content)).toContain("\n<<<<<<< SEARCH\n");
    expect(String(big.messages.at(-1)!.content)).toContain("Answer with SEARCH/REPLACE blocks for src/big.js.");
    expect(small.edit).toBeUndefined();
    expect(String(small.messages[0]!.content)).not.toContain("<<<<<<< SEARCH");
  });
});
