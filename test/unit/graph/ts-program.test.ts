import { describe, expect, it } from "vitest";
import { createTsChecker } from "../../../src/graph/ts-program.js";

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, verbatimModuleSyntax: true },
  include: ["src"],
  exclude: ["src/**/*.test.ts"],
});

const tree = (entries: Record<string, string>) => new Map(Object.entries({ "tsconfig.json": TSCONFIG, ...entries }));
const brief = (d: { file: string; line: number; code: number }) => `${d.file}:${d.line} TS${d.code}`;

describe("createTsChecker", () => {
  it("type-checks an in-memory snapshot under NodeNext (.js specifiers name .ts files)", () => {
    const checker = createTsChecker({ tsconfig: TSCONFIG });
    const clean = tree({
      "src/a.ts": `export const a = 1;\nexport default function f() {}`,
      "src/b.ts": `import f, { a } from "./a.js";\nexport const b: number = a;\nf();`,
    });
    expect(checker.check(clean)).toEqual([]);
    const broken = tree({
      "src/a.ts": `export const renamed = 1;`,
      "src/b.ts": `import f, { a } from "./a.js";\nimport { x } from "./missing.js";\nexport const b: number = a;`,
    });
    expect(checker.check(broken).map(brief)).toEqual(["src/b.ts:1 TS1192", "src/b.ts:1 TS2305", "src/b.ts:2 TS2307"]);
  });

  it("packages type as any through shims; unlisted packages fail", () => {
    const files = tree({ "src/a.ts": `import _ from "lodash";\nimport { readFile } from "node:fs/promises";\nexport const x = _.chunk;` });
    const checker = createTsChecker({ tsconfig: TSCONFIG, externals: ["lodash"] });
    // 2591: "Cannot find module ... Do you need to install type definitions for node?"
    expect(checker.check(files).map(brief)).toEqual(["src/a.ts:2 TS2591"]);
    expect(checker.check(files, undefined, ["node:fs/promises"])).toEqual([]);
  });

  it("honours include/exclude, and a scope limits the files reported", () => {
    const checker = createTsChecker({ tsconfig: TSCONFIG });
    const files = tree({
      "src/a.ts": `import { nope } from "./b.js";`,
      "src/b.ts": `import { nope } from "./a.js";\nexport {};`,
      "src/a.test.ts": `import { nope } from "./a.js";`,
      "scripts/x.ts": `import { nope } from "../src/a.js";`,
    });
    expect(checker.check(files).map((d) => d.file)).toEqual(["src/a.ts", "src/b.ts"]);
    expect(checker.check(files, ["src/b.ts"]).map((d) => d.file)).toEqual(["src/b.ts"]);
  });

  it("reports messages without the virtual root", () => {
    const checker = createTsChecker({ tsconfig: TSCONFIG });
    const [diagnostic] = checker.check(tree({ "src/a.ts": `import { x } from "./missing.js";` }));
    expect(diagnostic!.message).toContain("./missing.js");
    expect(diagnostic!.message).not.toContain("/repo/");
  });
});
