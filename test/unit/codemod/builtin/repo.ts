// A generated repository for the built-in codemods: one export, `formatPrice` in src/lib/format.ts, used by 30
// feature files through every route an importer can take, and a compiler that is the independent judge.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FileChange } from "../../../../src/codemod/builtin/index.js";

const TSC = path.resolve(import.meta.dirname, "../../../../node_modules/typescript/bin/tsc");

export const IMPORTERS = 30;

/** How feature file i reaches formatPrice; every route appears 5 times among the 30. */
const ROUTES = [
  // through the `export *` barrel
  (_i: number) => `import { formatPrice } from "../lib";\nexport const show = (n: number): string => formatPrice(n);\n`,
  // through the `export { } from` barrel, with an alias
  (_i: number) => `import { formatPrice as price } from "../api";\nexport const show = (n: number): string => price(n);\n`,
  // tsconfig paths alias, NodeNext-style .js extension
  (_i: number) => `import { formatPrice } from "@lib/format.js";\nexport const show = (n: number): string => formatPrice(n);\n`,
  // namespace import of the barrel through the alias, and a type-only import
  (_i: number) =>
    `import * as lib from "@lib/index";\nimport type { formatPrice } from "../lib/format";\n` +
    `export const show: typeof formatPrice = (n) => lib.formatPrice(n);\n`,
  // direct relative import with a same-named unrelated local in another scope, and dynamic import()
  (_i: number) =>
    `import { formatPrice } from "../lib/format";\nexport const show = (n: number): string => formatPrice(n);\n` +
    `export function label(): string {\n  const formatPrice = (s: string) => s.toUpperCase();\n  return formatPrice("x");\n}\n` +
    `export const settings = { formatPrice: true };\n` +
    `export async function later(n: number): Promise<string> {\n  const { formatPrice: f } = await import("../lib/format");\n` +
    `  return f(n) + (await import("../lib/format")).formatPrice(n);\n}\n`,
  (_i: number) => `import { api } from "@lib/format";\nexport const show = (n: number): string => api.formatPrice(n);\n`,
] as const;

export function featurePath(i: number): string {
  return `src/features/f${String(i).padStart(2, "0")}.ts`;
}

export function generatedRepo(): Map<string, string> {
  const files = new Map<string, string>([
    [
      "tsconfig.json",
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            target: "ES2022",
            module: "ESNext",
            moduleResolution: "Bundler",
            types: [],
            noEmit: true,
            paths: { "@lib/*": ["./src/lib/*"] },
          },
          include: ["src"],
        },
        null,
        2,
      ),
    ],
    ["package.json", JSON.stringify({ name: "generated", private: true, type: "module" }, null, 2)],
    ["src/lib/currency.ts", `export const CURRENCY = "EUR";\n`],
    [
      "src/lib/format.ts",
      `import { CURRENCY } from "./currency";\n\n` +
        `/** Cents as a price. */\nexport function formatPrice(cents: number): string {\n  return \`\${(cents / 100).toFixed(2)} \${CURRENCY}\`;\n}\n\n` +
        `export function formatTotal(items: number[]): string {\n  return formatPrice(items.reduce((a, b) => a + b, 0));\n}\n\n` +
        `export const api = { formatPrice };\n`,
    ],
    ["src/lib/index.ts", `export * from "./format";\nexport * from "./currency";\n`],
    ["src/api.ts", `export { formatPrice, formatTotal } from "./lib/format";\n`],
    // Unrelated: its own formatPrice, never imported from lib.
    ["src/other/format.ts", `export function formatPrice(p: { amount: number }): string {\n  return String(p.amount);\n}\n`],
    // CommonJS JavaScript (tsc does not check it: no allowJs), destructured and as a member.
    [
      "src/legacy.cjs",
      `const { formatPrice } = require("./lib/format");\nconst lib = require("./lib/format");\n` +
        `module.exports = (n) => formatPrice(n) + lib.formatPrice(n);\n`,
    ],
    ["src/other/use.ts", `import { formatPrice } from "./format";\nexport const x = formatPrice({ amount: 1 });\n`],
  ]);
  for (let i = 0; i < IMPORTERS; i += 1) files.set(featurePath(i), ROUTES[i % ROUTES.length]!(i));
  return files;
}

/** tsc's error lines for the tree, written to a temp dir. */
export function tscErrors(tree: ReadonlyMap<string, string>): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), "swarm-builtin-"));
  try {
    for (const [file, text] of tree) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    try {
      execFileSync(process.execPath, [TSC, "--noEmit", "-p", dir], { encoding: "utf8", stdio: "pipe" });
      return [];
    } catch (error) {
      const out = (error as { stdout?: string }).stdout ?? String(error);
      return out.split("\n").filter((line) => line.includes("error TS"));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tree with a codemod's changes written. */
export function applied(files: ReadonlyMap<string, string>, changes: readonly FileChange[]): Map<string, string> {
  const tree = new Map(files);
  for (const change of changes) {
    if (change.content === null) tree.delete(change.path);
    else tree.set(change.path, change.content);
  }
  return tree;
}
