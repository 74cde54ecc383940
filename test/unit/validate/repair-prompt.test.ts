import { describe, expect, it } from "vitest";
import type { Task } from "../../../src/core/types.js";
import type { Problem } from "../../../src/events/types.js";
import { buildImportGraph, updateGraph } from "../../../src/graph/build-graph.js";
import { SYSTEM_PROMPTS } from "../../../src/prompt/roles.js";
import { parseAnswer } from "../../../src/prompt/parse-answer.js";
import { describeProblem, MIN_REPAIR_CONTEXT_TOKENS, repairContext, repairMessages, type RepairPromptInput } from "../../../src/validate/repair-prompt.js";

const HEAD = new Map(Object.entries({
  "src/lib.ts": "export function used(): number { return 1; }\nexport const other = 2;\n",
  "src/app.ts": 'import { used } from "./lib.js";\nimport { other } from "./lib.js";\nexport const x = used() + other;\n',
  "src/side.ts": 'import "./lib.js";\n',
}));
const before = buildImportGraph(HEAD);
const countTokens = (t: string) => Math.ceil(t.length / 4);
const task = (file: string): Task => ({ id: `refactor:${file}`, role: "refactor", file, output: file, dependsOn: [], bytes: 1 });

function input(over: Partial<RepairPromptInput> & Pick<RepairPromptInput, "task" | "content" | "problems">): RepairPromptInput {
  return { graph: before, graphBefore: before, instruction: "Tidy", conventions: "", maxContextTokens: 0, countTokens, ...over };
}

describe("repair prompts", () => {
  const missing: Problem = { file: "src/app.ts", line: 1, code: "missing-export", message: '"./lib.js" has no export named "used"', target: "src/lib.ts", blame: "refactor:src/lib.ts" };

  it("describes a problem from the side of the file being repaired", () => {
    expect(describeProblem(missing, "src/lib.ts")).toBe('- src/app.ts:1 imports from this file: "./lib.js" has no export named "used" [missing-export]');
    expect(describeProblem(missing, "src/app.ts")).toBe('- src/app.ts:1: "./lib.js" has no export named "used" [missing-export] (the import resolves to src/lib.ts)');
  });

  it("an exporter's repair: the protocol's last message, the problems, and who imports what", () => {
    const renamed = "export function usedRenamed(): number { return 1; }\nexport const other = 2;\n";
    const graph = updateGraph(before, new Map([["src/lib.ts", renamed]]));
    const messages = repairMessages(input({ task: task("src/lib.ts"), content: renamed, problems: [missing], graph }));
    expect(messages[0]!.content).toBe(SYSTEM_PROMPTS.repair);
    const last = String(messages.at(-1)!.content);
    expect(last).toMatch(/^Role: repair\nFile: src\/lib\.ts\nOutput: src\/lib\.ts\n\nProblems to fix:\n- src\/app\.ts:1 imports from this file/);
    expect(parseAnswer(last, "stop")).toEqual({ ok: true, content: renamed });
    const context = String(messages[2]!.content);
    expect(context).toContain("How src/lib.ts connects to the files around it");
    expect(context).toContain("Files that import src/lib.ts, and what they take from it:\n- src/app.ts:1 imports { used } from \"./lib.js\"\n- src/app.ts:2 imports { other } from \"./lib.js\"\n- src/side.ts:1 imports it for side effects from \"./lib.js\"");
  });

  it("an importer's repair: the current signatures of what it imports, and of what it no longer reaches", () => {
    const broken = 'import { used } from "./lbi.js";\nexport const x = used();\n';
    const graph = updateGraph(before, new Map([["src/app.ts", broken]]));
    const unresolved: Problem = { file: "src/app.ts", line: 1, code: "unresolved-import", message: 'Cannot resolve "./lbi.js"', blame: "refactor:src/app.ts" };
    const context = repairContext(input({ task: task("src/app.ts"), content: broken, problems: [unresolved], graph }));
    expect(context).toContain("What src/lib.ts exports now:\nsrc/lib.ts:\n```ts\nexport function used(): number;\nexport const other = 2;\n```");
    expect(context).not.toContain("return 1");
  });

  it("keeps the context within its budget, with a floor for repairs", () => {
    const big = Array.from({ length: 250 }, (_, i) => `export function f${i}(a: number): number { return a; }`).join("\n") + "\n";
    const graph = updateGraph(before, new Map([["src/lib.ts", big]]));
    const context = repairContext(input({ task: task("src/app.ts"), content: HEAD.get("src/app.ts")!, problems: [{ ...missing }], graph }));
    expect(context).toBe(""); // the signatures alone are over the floor, so they are left out rather than cut
    expect(countTokens(big)).toBeGreaterThan(MIN_REPAIR_CONTEXT_TOKENS);
  });
});
