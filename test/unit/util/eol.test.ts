import { describe, expect, it } from "vitest";
import { detectFileStyle, restoreFileStyle, type FileStyle } from "../../../src/util/eol.js";

const BOM = "\ufeff";
const lf: FileStyle = { hasBom: false, eol: "\n", hasFinalNewline: true };

describe("restoreFileStyle", () => {
  it.each<[string, string, FileStyle, string]>([
    ["LF stays LF", "a\nb\n", lf, "a\nb\n"],
    ["CRLF restored", "a\nb\n", { ...lf, eol: "\r\n" }, "a\r\nb\r\n"],
    ["mixed input normalised to CRLF", "a\r\nb\nc\n", { ...lf, eol: "\r\n" }, "a\r\nb\r\nc\r\n"],
    ["mixed input normalised to LF", "a\r\nb\n", lf, "a\nb\n"],
    ["BOM added", "a\n", { ...lf, hasBom: true }, `${BOM}a\n`],
    ["BOM not doubled", `${BOM}a\n`, { ...lf, hasBom: true }, `${BOM}a\n`],
    ["BOM removed", `${BOM}a\n`, lf, "a\n"],
    ["final newline added", "a", lf, "a\n"],
    ["final newline added as CRLF", "a\nb", { ...lf, eol: "\r\n" }, "a\r\nb\r\n"],
    ["extra blank lines at the end kept when final newline wanted", "a\n\n", lf, "a\n\n"],
    ["final newline dropped", "a\n", { ...lf, hasFinalNewline: false }, "a"],
    ["all trailing newlines dropped", "a\n\n", { ...lf, hasFinalNewline: false }, "a"],
    ["trailing CRLF dropped", "a\r\n", { ...lf, eol: "\r\n", hasFinalNewline: false }, "a"],
    ["everything at once", "x\ny\n", { hasBom: true, eol: "\r\n", hasFinalNewline: false }, `${BOM}x\r\ny`],
    ["empty stays empty", "", { hasBom: false, eol: "\r\n", hasFinalNewline: true }, ""],
    ["empty with BOM", "", { hasBom: true, eol: "\n", hasFinalNewline: true }, BOM],
    ["lone CR untouched", "a\rb\n", { ...lf, eol: "\r\n" }, "a\rb\r\n"],
  ])("%s", (_name, content, style, expected) => {
    expect(restoreFileStyle(content, style)).toBe(expected);
  });

  it("round-trips with detectFileStyle", () => {
    for (const original of ["a\r\nb\r\n", `${BOM}a\nb`, "a\nb\n", `${BOM}x\r\n`]) {
      const normalised = original.replace(/^\ufeff/, "").replace(/\r\n/g, "\n");
      expect(restoreFileStyle(normalised, detectFileStyle(original))).toBe(original);
    }
  });
});

describe("detectFileStyle", () => {
  it.each<[string, FileStyle]>([
    ["a\nb\n", { hasBom: false, eol: "\n", hasFinalNewline: true }],
    ["a\r\nb\r\n", { hasBom: false, eol: "\r\n", hasFinalNewline: true }],
    [`${BOM}a\r\nb`, { hasBom: true, eol: "\r\n", hasFinalNewline: false }],
    ["a\r\nb\nc\n", { hasBom: false, eol: "\n", hasFinalNewline: true }],
    ["one line", { hasBom: false, eol: "\n", hasFinalNewline: false }],
  ])("%j", (text, style) => {
    expect(detectFileStyle(text)).toEqual(style);
  });
});
