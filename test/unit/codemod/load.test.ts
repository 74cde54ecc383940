import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCodemod } from "../../../src/codemod/load.js";
import { tempDir } from "../../support/git-repo.js";

// A .ts codemod is transpiled before it is imported; only its own imports may be pointed at where they resolve.
// Import text it writes into the user's files is data, and must come out as written.
describe("loadCodemod of a .ts module", () => {
  it("resolves the module's own imports and leaves import text inside its strings alone", async () => {
    const dir = tempDir("swarm-codemod-load-");
    await writeFile(path.join(dir, "helper.mjs"), 'export const NAME = "helper";\n');
    const inserted = 'import { a } from "./a.js";\nimport { z } from "zod";\nexport * from "../b.js";\nconst c = await import("./c.js");\n';
    await writeFile(
      path.join(dir, "adds-imports.ts"),
      [
        'import { NAME } from "./helper.mjs";',
        'import { VariableDeclarationKind } from "ts-morph";',
        // As codemods write it: import lines in single-quoted strings.
        `const TEXT: string = ${inserted.split("\n").map((line) => `'${line}\\n'`).slice(0, -1).join(" + ")};`,
        "export default function (file: { text?: string }): void {",
        "  file.text = TEXT + NAME + VariableDeclarationKind.Const + `import(\"./d.js\")`;",
        "}",
      ].join("\n"),
    );
    const codemod = await loadCodemod(path.join(dir, "adds-imports.ts"), dir);
    if (codemod.kind !== "user") throw new Error("expected a module");
    const file: { text?: string } = {};
    await codemod.run(file as never, {} as never);
    expect(file.text).toBe(`${inserted}helperconstimport("./d.js")`);
  });
});

describe("a .ts codemod's stack", () => {
  it("names the user's file and line, not the transpiled temp file", async () => {
    const dir = tempDir("swarm-codemod-load-");
    const file = path.join(dir, "throws.ts");
    await writeFile(file, 'interface Ctx {\n  path: string;\n}\ntype Unused = number;\nexport default function (_file: unknown, ctx: Ctx): void {\n  throw new Error("cannot " + ctx.path);\n}\n');
    const codemod = await loadCodemod(file, dir);
    if (codemod.kind !== "user") throw new Error("expected a module");
    let stack = "";
    try {
      await codemod.run({} as never, { path: "src/a.ts" } as never);
    } catch (error) {
      stack = (error as Error).stack ?? "";
    }
    const frame = stack.split("\n").find((line) => /^\s+at /.test(line));
    // Node prints the file as a URL, vitest's loader as a path: the folder, name and line are in both.
    expect(frame).toContain(`${path.basename(dir)}/throws.ts:6:`);
    expect(frame).not.toContain("swarm-codemods");
  });
});
