// The per-file signature cache (issue 16): a file imported by many prompts is parsed once, and HEAD's and a
// run's text of the same path are both kept, each with its own signatures.
import { describe, expect, it } from "vitest";
import { exportedDeclarations } from "../../../src/graph/index.js";
import { exportedSignatures } from "../../../src/prompt/signatures.js";

describe("exportedSignatures cache", () => {
  it("gives each text of a path its own signatures, whichever was asked for last", () => {
    const head = "export function a(x: number): number {\n  return x;\n}\n";
    const run = "export function a(x: number, y = 1): number {\n  return x + y;\n}\nexport const b = 2;\n";
    for (const text of [head, run, head, run, `${head}// changed\n`, head]) {
      expect(exportedSignatures("src/cache-a.ts", text)).toBe(exportedDeclarations("src/cache-a.ts", text));
    }
  });
});
