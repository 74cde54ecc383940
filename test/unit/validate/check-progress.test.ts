import { describe, expect, it } from "vitest";
import { checkChanges, computeBaseline } from "../../../src/validate/baseline.js";

// Issue 17: the compiler's check holds the event loop; it calls back per file so a terminal's clock keeps moving.
const HEAD: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "esnext", target: "es2022", moduleResolution: "bundler" }, include: ["src"] }),
  "src/a.ts": "export function a(n: number): number {\n  return n + 1;\n}\n",
  "src/b.ts": 'import { a } from "./a";\nexport const b = a(1);\n',
  "src/c.ts": 'import { b } from "./b";\nexport const c: number = b;\n',
};

describe("checkChanges progress (issue 17)", () => {
  it("calls onProgress from inside the compiler's check, once per file or more", () => {
    const baseline = computeBaseline(new Map(Object.entries(HEAD)));
    let calls = 0;
    const check = checkChanges(baseline, { written: new Map([["src/a.ts", "export function a2(n: number): number {\n  return n + 2;\n}\n"]]), onProgress: () => calls++ });
    // The rename breaks b.ts's import: the compiler checked the scope, and called back as it went.
    expect(check.problems.map((p) => p.file)).toContain("src/b.ts");
    expect(calls).toBeGreaterThanOrEqual(check.scope.size);
  });
});
