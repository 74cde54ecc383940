import { describe, expect, it } from "vitest";
import { applyEditAnswer, isEditAnswer } from "../../../src/prompt/edit-blocks.js";

const PATH = "src/a.ts";
const FILE = ["function a() {", "  return 1;", "}", "", "function b() {", "  return 1;", "}", ""].join("\n");

const block = (search: string, replace: string, path = PATH) => `${path}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;

type Case = { name: string; content?: string; answer: string; result?: string; error?: RegExp };

const cases: Case[] = [
  {
    name: "exact single block",
    answer: block("function a() {\n  return 1;", "function a() {\n  return 2;"),
    result: FILE.replace("a() {\n  return 1;", "a() {\n  return 2;"),
  },
  {
    name: "several blocks apply in order, each to the content edited so far",
    answer: `${block("function a() {", "function first() {")}\n\n${block("function first() {\n  return 1;", "function first() {\n  return 3;")}`,
    result: FILE.replace("function a() {\n  return 1;", "function first() {\n  return 3;"),
  },
  {
    name: "prose and fences around blocks are ignored; path decorations are stripped",
    answer: `Here are the edits:\n\n\`src/a.ts\`\n\`\`\`ts\n<<<<<<< SEARCH\nfunction b() {\n=======\nfunction bee() {\n>>>>>>> REPLACE\n\`\`\``,
    result: FILE.replace("function b()", "function bee()"),
  },
  {
    name: "a block without its own path line inherits the previous block's",
    answer: `${block("function a() {", "function aa() {")}\n<<<<<<< SEARCH\nfunction b() {\n=======\nfunction bb() {\n>>>>>>> REPLACE`,
    result: FILE.replace("function a()", "function aa()").replace("function b()", "function bb()"),
  },
  {
    name: "trailing whitespace drift matches",
    answer: block("function b() {   \n  return 1;  ", "function b() {\n  return 7;"),
    result: FILE.replace("b() {\n  return 1;", "b() {\n  return 7;"),
  },
  {
    name: "indentation drift matches and shifts REPLACE by the same amount",
    content: "class C {\n    m() {\n        return 1;\n    }\n}\n",
    answer: block("m() {\n    return 1;\n}", "m() {\n    return 2;\n}"),
    result: "class C {\n    m() {\n        return 2;\n    }\n}\n",
  },
  {
    name: "CRLF and BOM are kept",
    content: "\ufeffconst a = 1;\r\nconst b = 2;\r\n",
    answer: block("const b = 2;", "const b = 3;"),
    result: "\ufeffconst a = 1;\r\nconst b = 3;\r\n",
  },
  {
    name: "empty REPLACE deletes the lines",
    answer: block("\nfunction b() {\n  return 1;\n}", ""),
    result: "function a() {\n  return 1;\n}\n\n",
  },
  { name: "ambiguous SEARCH fails naming the lines", answer: block("  return 1;\n}", "  return 2;\n}"), error: /block 1 of 1: SEARCH matches 2 places \(lines 2, 6\)/ },
  {
    name: "a later block that fails rejects the whole answer",
    answer: `${block("function a() {", "function z() {")}\n${block("function missing() {", "x")}`,
    error: /block 2 of 2: SEARCH matches no lines[\s\S]*Nearest lines of the file/,
  },
  { name: "a block for another path is refused", answer: block("function a() {", "x", "src/other.ts"), error: /block 1 of 1 names src\/other\.ts; only src\/a\.ts may be edited/ },
  { name: "empty SEARCH is refused", answer: block("", "new"), error: /empty SEARCH/ },
  { name: "missing SEARCH marker", answer: `${PATH}\nfunction a() {\n=======\nx\n>>>>>>> REPLACE`, error: /without a "<<<<<<< SEARCH" line/ },
  { name: "missing divider", answer: `${PATH}\n<<<<<<< SEARCH\nfunction a() {\n>>>>>>> REPLACE`, error: /no "=======" line/ },
  { name: "missing REPLACE marker", answer: `${PATH}\n<<<<<<< SEARCH\nfunction a() {\n=======\nx`, error: /no ">>>>>>> REPLACE" line/ },
  { name: "no path before the first block", answer: "<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE", error: /no file path line/ },
  { name: "no block at all", answer: "```ts\nconst a = 1;\n```", error: /no "<<<<<<< SEARCH" block/ },
  { name: "fuzzier than whitespace does not match", answer: block("function a( ) {", "x"), error: /matches no lines/ },
];

describe("applyEditAnswer", () => {
  it.each(cases)("$name", ({ content = FILE, answer, result, error }) => {
    const verdict = applyEditAnswer(content, PATH, answer);
    if (result !== undefined) {
      expect(verdict).toEqual({ ok: true, content: result });
    } else {
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.error.code).toBe("edit-failed");
        expect(verdict.error.message).toMatch(error!);
      }
    }
  });

  it("shows the nearest lines of the file for a block that does not match", () => {
    const verdict = applyEditAnswer(FILE, PATH, block("function b() {\n  return 9;", "x"));
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.error.message).toContain("5| function b() {");
  });
});

describe("isEditAnswer", () => {
  it("tells an edit answer from a whole-file answer", () => {
    expect(isEditAnswer(block("a", "b"))).toBe(true);
    expect(isEditAnswer("```ts\nconst a = 1;\n```")).toBe(false);
  });
});
