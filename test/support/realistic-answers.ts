// Answers shaped like a coding model's, for tests that compare the estimate against a run.
//
// The loopback server's default answers are stubs (a one-line test, a two-line doc), so they say
// nothing about what an estimate of output tokens is worth. These answers are built from the
// structure of the file the request carries: its exported API, the parameters of each function and
// the branches in its body. They follow how models write such files, not the estimator's ratios
// (src/estimate/estimate.ts OUTPUT_RATIOS), which this module never reads:
// - refactor ("add JSDoc to every exported function"): the whole file, with a JSDoc block per function;
// - test: one happy-path case per export plus one case per branch, vitest style, with imports;
// - doc: a title, an intro, and per export its signature, a description and a usage example.

import type { ParsedRequest } from "./loopback-server.js";

export const JSDOC_INSTRUCTION = "Add a JSDoc comment to every exported function, class and constant.";

export interface ApiItem {
  name: string;
  kind: "function" | "class" | "value" | "type";
  /** The declaration's first line, trimmed. */
  signature: string;
  params: string[];
  /** if / case / catch / ?: / && / || / throw in the item's body: what a thorough test covers. */
  branches: number;
  /** 0-based line of the declaration. */
  line: number;
  throws: boolean;
  /** `export default …`: imported without braces. */
  isDefault: boolean;
}

const DECLARATION =
  /^(export\s+(?:default\s+)?)?(async\s+)?(function\*?|class|const|let|var|interface|type)\s+([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*(\(([^)]*)\))?/;
const ARROW_PARAMS = /=\s*(?:async\s+)?(?:\(([^)]*)\)|([A-Za-z_$][\w$]*))\s*(?::[^=]+)?=>/;
const BRANCH = /\bif\s*\(|\bcase\b|\bcatch\b|\?[^.?:]|&&|\|\||\bthrow\b/g;

/** The exported API of a JS or TS module: ESM `export` declarations and CommonJS `module.exports`. */
function apiOf(source: string): ApiItem[] {
  const lines = source.split("\n");
  const declared: (ApiItem & { isExported: boolean })[] = [];
  lines.forEach((text, line) => {
    const m = DECLARATION.exec(text);
    if (!m) return;
    const keyword = m[3]!;
    const kind: ApiItem["kind"] =
      keyword.startsWith("function") ? "function" : keyword === "class" ? "class" : keyword === "interface" || keyword === "type" ? "type" : "value";
    const arrow = kind === "value" ? ARROW_PARAMS.exec(text) : null;
    const paramText = m[6] ?? arrow?.[1] ?? arrow?.[2];
    const params = (paramText ?? "")
      .split(",")
      .map((p) => p.trim().replace(/^\.\.\./, "").split(/[:=?\s]/)[0]!)
      .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
    declared.push({
      name: m[4]!,
      kind: arrow ? "function" : kind,
      signature: text.trim().replace(/\s*\{$/, ""),
      params,
      branches: 0,
      line,
      throws: false,
      isDefault: /default/.test(m[1] ?? ""),
      isExported: m[1] !== undefined,
    });
  });
  declared.forEach((item, i) => {
    const body = lines.slice(item.line, declared[i + 1]?.line ?? lines.length).join("\n");
    item.branches = (body.match(BRANCH) ?? []).length;
    item.throws = /\bthrow\b/.test(body);
  });
  const cjs = new Set<string>();
  for (const m of source.matchAll(/module\.exports\s*=\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part.split(":")[0]!.trim();
      if (name) cjs.add(name);
    }
  }
  for (const m of source.matchAll(/(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/g)) cjs.add(m[1]!);
  return declared.filter((d) => d.isExported || cjs.has(d.name)).map(({ isExported: _, ...item }) => item);
}

const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
const sentence = (name: string) => {
  const w = words(name);
  return w.charAt(0).toUpperCase() + w.slice(1);
};

/** The source with a JSDoc block above every exported declaration that has none. */
function refactorAnswer(source: string): string {
  const lines = source.split("\n");
  const items = new Map(apiOf(source).map((item) => [item.line, item]));
  const out: string[] = [];
  lines.forEach((text, line) => {
    const item = items.get(line);
    const hasDoc = line > 0 && /\*\/\s*$/.test(lines[line - 1]!);
    if (item && !hasDoc) {
      const indent = /^\s*/.exec(text)![0];
      out.push(`${indent}/**`, `${indent} * ${sentence(item.name)}.`);
      if (item.kind === "function") {
        if (item.params.length > 0) out.push(`${indent} *`);
        for (const p of item.params) out.push(`${indent} * @param ${p} - The ${words(p)}.`);
        out.push(`${indent} * @returns The ${words(item.name).split(" ").at(-1)} result.`);
        if (item.throws) out.push(`${indent} * @throws When the input is invalid.`);
      }
      out.push(`${indent} */`);
    }
    out.push(text);
  });
  return out.join("\n");
}

function importPathOf(file: string, output: string): string {
  const from = output.split("/").slice(0, -1);
  const to = file.split("/");
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const rel = [...from.slice(common).map(() => ".."), ...to.slice(common)].join("/");
  return (rel.startsWith(".") ? rel : `./${rel}`).replace(/\.ts$/, ".js");
}

/** How a test file gets its framework: what the prompt's "Test framework:" line names, as a model would read it. */
const FRAMEWORK_IMPORTS: Record<string, { esm: string[]; cjs: string[]; expectOk: (v: string) => string; expectThrows: (call: string) => string }> = {
  vitest: { esm: [`import { describe, expect, it } from "vitest";`], cjs: [`const { describe, expect, it } = require("vitest");`], expectOk: (v) => `expect(${v}).toBeDefined();`, expectThrows: (c) => `expect(() => ${c}).toThrow();` },
  jest: { esm: [], cjs: [], expectOk: (v) => `expect(${v}).toBeDefined();`, expectThrows: (c) => `expect(() => ${c}).toThrow();` },
  "node:test": {
    esm: [`import { describe, it } from "node:test";`, `import assert from "node:assert/strict";`],
    cjs: [`const { describe, it } = require("node:test");`, `const assert = require("node:assert/strict");`],
    expectOk: (v) => `assert.notEqual(${v}, undefined);`,
    expectThrows: (c) => `assert.throws(() => ${c});`,
  },
  mocha: { esm: [`import assert from "node:assert/strict";`], cjs: [`const assert = require("node:assert/strict");`], expectOk: (v) => `assert.notEqual(${v}, undefined);`, expectThrows: (c) => `assert.throws(() => ${c});` },
};

/** A test file: one happy-path case per export, one more per branch of its body. */
function testAnswer(source: string, file: string, output: string, framework = "vitest"): string {
  const api = apiOf(source).filter((item) => item.kind !== "type");
  const fw = FRAMEWORK_IMPORTS[framework] ?? FRAMEWORK_IMPORTS["node:test"]!;
  const isCjs = /\brequire\(|module\.exports/.test(source) && !/^\s*(import|export)\s/m.test(source);
  const isTs = /\.tsx?$/.test(output);
  const lines = [...(isCjs ? fw.cjs : fw.esm)];
  const named = api.filter((a) => !a.isDefault).map((a) => a.name).join(", ");
  const byDefault = api.find((a) => a.isDefault)?.name;
  const from = isCjs ? importPathOf(file, output).replace(/\.js$/, "") : importPathOf(file, output);
  if (api.length > 0) {
    const esmNames = [byDefault, named ? `{ ${named} }` : undefined].filter(Boolean).join(", ");
    lines.push(isCjs ? `const { ${api.map((a) => a.name).join(", ")} } = require("${from}");` : `import ${esmNames} from "${from}";`);
  }
  lines.push("");
  for (const item of api) {
    const args = item.params.map((p) => `sample.${p}`).join(", ");
    lines.push(`describe("${item.name}", () => {`);
    if (item.params.length > 0) {
      lines.push(`  const sample = { ${item.params.map((p, i) => `${p}: ${i + 1}`).join(", ")} }${isTs ? " as const" : ""};`, "");
    }
    const call = item.kind === "class" ? `new ${item.name}(${args})` : item.kind === "function" ? `${item.name}(${args})` : item.name;
    lines.push(`  it("${words(item.name)} works for typical input", () => {`, `    const result = ${call};`, `    ${fw.expectOk("result")}`, `    ${fw.expectOk("typeof result")}`, "  });");
    for (let b = 1; b <= item.branches; b++) {
      lines.push(
        "",
        `  it("${words(item.name)} covers branch ${b}", () => {`,
        item.throws && b === item.branches ? `    ${fw.expectThrows(call)}` : `    ${fw.expectOk(call)}`,
        "  });",
      );
    }
    lines.push("});", "");
  }
  if (api.length === 0) lines.push(`describe("${file}", () => {`, `  it("loads", async () => {`, `    await import("${importPathOf(file, output)}");`, "  });", "});", "");
  return lines.join("\n");
}

/** Markdown API docs: title, intro, and per export its signature, a description and an example. */
function docAnswer(source: string, file: string): string {
  const api = apiOf(source);
  const module = file.replace(/\.[cm]?[jt]sx?$/, "");
  const lines = [`# ${file}`, "", `The \`${module}\` module exports ${api.length} item${api.length === 1 ? "" : "s"}.`, ""];
  if (api.length > 0) lines.push("## API", "");
  for (const item of api) {
    lines.push(`### \`${item.name}\``, "", "```ts", item.signature, "```", "");
    const takes = item.params.length > 0 ? ` It takes ${item.params.map((p) => `\`${p}\``).join(", ")}.` : "";
    lines.push(`${sentence(item.name)}.${takes}${item.throws ? " Throws when its input is invalid." : ""}`, "");
    if (item.kind === "function" || item.kind === "class") {
      const call = `${item.kind === "class" ? "new " : ""}${item.name}(${item.params.join(", ")})`;
      lines.push("```ts", `import { ${item.name} } from "./${module.split("/").at(-1)}.js";`, `const result = ${call};`, "```", "");
    }
  }
  return lines.join("\n");
}

/** For startLoopbackServer({ answer }). */
export function realisticAnswer(req: ParsedRequest): string | undefined {
  const source = req.source ?? "";
  const file = req.file ?? "unknown";
  switch (req.role) {
    case "refactor":
    case "repair":
      return refactorAnswer(source);
    case "test": {
      const last = req.messages.at(-1);
      const framework = /^Test framework: (.*)$/m.exec(typeof last?.content === "string" ? last.content : "")?.[1]?.trim();
      return testAnswer(source, file, req.output ?? file, framework);
    }
    case "doc":
      return docAnswer(source, file);
    default:
      return undefined;
  }
}
