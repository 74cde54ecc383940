import { describe, expect, it } from "vitest";
import { exportedDeclarations } from "../../../src/graph/declarations.js";

describe("exportedDeclarations", () => {
  it("TypeScript: signatures without bodies, public members only, overloads once", () => {
    const source = [
      "export function add(a: number, b = 2): number { return a + b; }",
      "function hidden() {}",
      `export const x: string = "y";`,
      "export const f = async (n: number): Promise<void> => { await n; };",
      "export interface I { a: string }",
      "export default class K { private p = 1; #q = 2; constructor(public n: number) {} m(a: string): void { } get g(): number { return 1; } }",
      `export { y as z } from "./y.js";`,
      "export function over(a: string): string;",
      "export function over(a: number): number;",
      "export function over(a: any) { return a; }",
    ].join("\n");
    expect(exportedDeclarations("a.ts", source)).toBe(
      [
        "export function add(a: number, b = 2): number;",
        "export const x: string;",
        "export const f = async (n: number): Promise<void> => …;",
        "export interface I {\n    a: string;\n}",
        "export default class K {\n    constructor(public n: number);\n    m(a: string): void;\n    get g(): number;\n}",
        `export { y as z } from "./y.js";`,
        "export function over(a: string): string;",
        "export function over(a: number): number;",
      ].join("\n"),
    );
  });

  it("CommonJS: what module.exports and exports.x get, with parameters of local functions", () => {
    const source = "function list(page, size) {}\nmodule.exports = { list, create(a) {}, del: (id) => 1, n: 3 };\nexports.extra = function (x) {};";
    expect(exportedDeclarations("b.js", source)).toBe(
      "module.exports = { list(page, size), create(a), del(id), n };\nexports.extra = function(x) { … };",
    );
    expect(exportedDeclarations("c.js", "module.exports = function make(opts) { return 1; };")).toBe(
      "module.exports = function make(opts) { … };",
    );
  });

  it("nothing for files that export nothing or are not JS/TS", () => {
    expect(exportedDeclarations("a.ts", "const a = 1;")).toBe("");
    expect(exportedDeclarations("a.css", "a {}")).toBe("");
  });

  it("clips long types", () => {
    const long = `export type Big = { ${Array.from({ length: 200 }, (_, i) => `k${i}: string;`).join(" ")} };`;
    const text = exportedDeclarations("a.ts", long);
    expect(text.length).toBeLessThan(1400);
    expect(text).toContain("/* … */");
  });
});
