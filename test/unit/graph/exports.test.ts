import { describe, expect, it } from "vitest";
import { collectExports, emptyExports, opaqueExports } from "../../../src/graph/exports.js";
import { parseModule, parseSource } from "../../../src/graph/parse-imports.js";
import type { ExportInfo } from "../../../src/graph/types.js";

interface Brief {
  names?: string[];
  cjsNames?: string[];
  hasDefault?: boolean;
  star?: string[];
  commonjs?: boolean;
  isOpaque?: boolean;
  isEsm?: boolean;
}

/** Only the fields that differ from an empty export list, names sorted. */
function brief(info: ExportInfo): Brief {
  const out: Brief = {};
  if (info.names.size > 0) out.names = [...info.names].sort();
  if (info.cjsNames.size > 0) out.cjsNames = [...info.cjsNames].sort();
  if (info.hasDefault) out.hasDefault = true;
  if (info.star.length > 0) out.star = info.star;
  if (info.commonjs) out.commonjs = true;
  if (info.isOpaque) out.isOpaque = true;
  if (info.isEsm) out.isEsm = true;
  return out;
}

const cases: { name: string; path?: string; text: string; expected: Brief }[] = [
  // ESM
  {
    name: "named declarations of every kind",
    path: "a.ts",
    text: `export const a = 1, b = 2; export let [c, { d }] = arr; export function f() {} export class K {}
export interface I {} export type T = 1; export enum E { A } export namespace N {} export declare const g: number;`,
    expected: { names: ["I", "K", "N", "T", "E", "a", "b", "c", "d", "f", "g"].sort(), isEsm: true },
  },
  { name: "export list with renames", text: `const x = 1; export { x, x as y };`, expected: { names: ["x", "y"], isEsm: true } },
  { name: "export default function", text: `export default function () {}`, expected: { hasDefault: true, isEsm: true } },
  { name: "export default class with name", text: `export default class Cache {}`, expected: { hasDefault: true, isEsm: true } },
  { name: "export default expression", text: `export default { a: 1 };`, expected: { hasDefault: true, isEsm: true } },
  { name: "default via export list", text: `const z = 1; export { z as default };`, expected: { hasDefault: true, isEsm: true } },
  { name: "re-export named", text: `export { a, b as c } from "./x.js";`, expected: { names: ["a", "c"], isEsm: true } },
  { name: "re-export default as name", text: `export { default as Cache } from "./cache.js";`, expected: { names: ["Cache"], isEsm: true } },
  { name: "re-export default stays default", text: `export { default } from "./cache.js";`, expected: { hasDefault: true, isEsm: true } },
  { name: "export star", text: `export * from "./a.js"; export * from "./b.js";`, expected: { star: ["./a.js", "./b.js"], isEsm: true } },
  { name: "export star as namespace", text: `export * as schema from "./schema/index.js";`, expected: { names: ["schema"], isEsm: true } },
  { name: "type-only re-export", text: `export type { T } from "./t.js";`, expected: { names: ["T"], isEsm: true } },
  { name: "imports alone make a module ESM", text: `import "./x.js";`, expected: { isEsm: true } },
  { name: "export import alias (TS)", path: "a.ts", text: `import N = require("./n"); export import A = N.B;`, expected: { names: ["A"] } },
  { name: "non-exported declarations", text: `const a = 1; function f() {}`, expected: {} },
  // CommonJS
  {
    name: "module.exports = { ... }",
    text: `module.exports = { a, b: 1, "c": 2, d() {}, 3: x };`,
    expected: { cjsNames: ["3", "a", "b", "c", "d"], commonjs: true },
  },
  { name: "exports.x =", text: `exports.a = 1;\nexports.b = function () {};`, expected: { cjsNames: ["a", "b"], commonjs: true } },
  { name: "module.exports.x =", text: `module.exports.a = 1;`, expected: { cjsNames: ["a"], commonjs: true } },
  { name: "exports['x'] =", text: `exports["a-b"] = 1;`, expected: { cjsNames: ["a-b"], commonjs: true } },
  { name: "exports[computed] is opaque", text: `exports[key] = 1;`, expected: { commonjs: true, isOpaque: true } },
  { name: "module.exports = fn", text: `module.exports = function create() {};`, expected: { hasDefault: true, commonjs: true, isOpaque: true } },
  { name: "module.exports = identifier", text: `const router = make();\nmodule.exports = router;`, expected: { hasDefault: true, commonjs: true, isOpaque: true } },
  { name: "module.exports = class", text: `module.exports = class Store {};`, expected: { hasDefault: true, commonjs: true, isOpaque: true } },
  { name: "module.exports = require(...)", text: `module.exports = require("./impl");`, expected: { star: ["./impl"], commonjs: true } },
  { name: "spread in module.exports is opaque", text: `module.exports = { ...base, a };`, expected: { cjsNames: ["a"], commonjs: true, isOpaque: true } },
  {
    name: "Object.defineProperty(exports, ...)",
    text: `Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = f;`,
    expected: { cjsNames: ["__esModule", "default"], commonjs: true },
  },
  { name: "Object.assign(module.exports, {...})", text: `Object.assign(module.exports, { a, b });`, expected: { cjsNames: ["a", "b"], commonjs: true } },
  { name: "exports handed to a helper", text: `__exportStar(require("./x"), exports);`, expected: { commonjs: true, isOpaque: true } },
  { name: "export = (TS)", path: "a.ts", text: `const x = 1;\nexport = x;`, expected: { hasDefault: true, commonjs: true, isOpaque: true } },
  { name: "nested assignments count", text: `if (a) { exports.x = 1; }`, expected: { cjsNames: ["x"], commonjs: true } },
  { name: "reading module.exports is not an export", text: `const e = module.exports;\nconsole.log(exports.a);`, expected: {} },
  {
    name: "ESM syntax wins over CommonJS assignments",
    path: "a.mjs",
    text: `export const a = 1;\nmodule.exports = { b };`,
    expected: { names: ["a"], cjsNames: ["b"], isEsm: true },
  },
];

describe("collectExports", () => {
  for (const c of cases) {
    it(c.name, () => {
      const path = c.path ?? "a.js";
      expect(brief(collectExports(parseSource(path, c.text)))).toEqual(c.expected);
      // parseModule shares one walk between imports and CommonJS exports; it must agree.
      expect(brief(parseModule(path, c.text).exports)).toEqual(c.expected);
    });
  }
});

describe("emptyExports / opaqueExports", () => {
  it("empty exports nothing; opaque promises anything", () => {
    expect(brief(emptyExports())).toEqual({});
    expect(brief(opaqueExports())).toEqual({ hasDefault: true, isOpaque: true });
  });
});
