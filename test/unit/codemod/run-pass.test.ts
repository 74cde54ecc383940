import { describe, expect, it } from "vitest";
import { runCodemodPass } from "../../../src/codemod/run-pass.js";
import { handOffOf, modelPlan } from "../../../src/codemod/records.js";
import type { CodemodFunction } from "../../../src/codemod/types.js";
import type { Plan } from "../../../src/core/index.js";
import { buildImportGraph } from "../../../src/graph/index.js";

const files = new Map([
  ["src/a.ts", 'import { b } from "./b.js";\nexport const a = b;\n'],
  ["src/b.ts", "export const b = 1;\n"],
  ["src/c.ts", "export const c = 2;\n"],
]);

const pass = (run: CodemodFunction, targets = ["src/a.ts", "src/b.ts", "src/c.ts"]) =>
  runCodemodPass({ codemod: { kind: "user", spec: "t.mjs", run }, instruction: "do it", targets, files, allPaths: [...files.keys()], graph: buildImportGraph(files) });

describe("the codemod pass", () => {
  it("keeps ctx.project read-only: an edit of another file is put back and reported", async () => {
    const result = await pass(async (file, ctx) => {
      await Promise.resolve();
      if (ctx.path === "src/a.ts") ctx.project.getSourceFile("src/b.ts")!.replaceWithText("export const b = 99;\n");
      file.addStatements("// seen");
    }, ["src/a.ts", "src/b.ts"]);
    expect(result.files.get("src/b.ts")).toEqual({ status: "done", content: "export const b = 1;\n// seen\n", changed: true });
    expect(result.problems).toEqual(["t.mjs changed src/b.ts while transforming src/a.ts: discarded (ctx.project is read-only)"]);
  });

  it("gives each file its instruction, path, role and import graph", async () => {
    const seen: string[] = [];
    await pass((_file, ctx) => {
      seen.push(`${ctx.role} ${ctx.path} ${ctx.instruction} imports=${ctx.graph.importsOf(ctx.path).join(",")} importers=${ctx.graph.importersOf(ctx.path).join(",")}`);
    });
    expect(seen).toEqual(["refactor src/a.ts do it imports=src/b.ts importers=", "refactor src/b.ts do it imports= importers=src/a.ts", "refactor src/c.ts do it imports= importers="]);
  });

  it("a throw fails only that file, a deleted file keeps HEAD's text, a hand-off keeps the partial result", async () => {
    const result = await pass((file, ctx) => {
      if (ctx.path === "src/a.ts") throw new TypeError("boom");
      if (ctx.path === "src/b.ts") return file.delete();
      file.insertText(0, "// half\n");
      ctx.handOff("");
    });
    expect(result.files.get("src/a.ts")).toMatchObject({ status: "failed", reason: "TypeError: boom", content: files.get("src/a.ts") });
    expect((result.files.get("src/a.ts") as { frame: string }).frame).toMatch(/^at .*run-pass\.test\.ts/);
    expect(result.files.get("src/b.ts")).toEqual({ status: "done", content: "export const b = 1;\n", changed: false });
    expect(result.files.get("src/c.ts")).toEqual({ status: "handed-off", content: "// half\nexport const c = 2;\n", reason: "handed off without a reason" });
  });

  it("leaves the finished refactors out of what the model gets, and puts the reason in the rest's prompts", async () => {
    const result = await pass((_file, ctx) => (ctx.path === "src/c.ts" ? ctx.handOff("dynamic") : undefined));
    const task = (file: string, role: "refactor" | "test" = "refactor") => ({ id: `${role}:${file}`, role, file, output: file, dependsOn: role === "test" ? [`refactor:${file}`] : [], bytes: 10 });
    const plan: Plan = { version: 1, roles: ["refactor", "test"], tasks: [task("src/a.ts"), task("src/c.ts"), task("src/a.ts", "test")], files: [], skips: [] };
    expect(modelPlan(plan, result).tasks.map((t) => [t.id, t.dependsOn])).toEqual([["refactor:src/c.ts", []], ["test:src/a.ts", []]]);
    expect(handOffOf(result, task("src/a.ts"))).toBeNull();
    expect(handOffOf(result, task("src/c.ts"))?.note).toContain("handed it off: dynamic");
  });
});
