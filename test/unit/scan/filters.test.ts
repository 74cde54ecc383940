import { describe, expect, it } from "vitest";
import type { Skip, SourceFile } from "../../../src/core/types.js";
import { classifyFile, detectEol, skipBeforeReading, type EntryInfo } from "../../../src/scan/filters.js";

const options = { maxFileBytes: 1000 };
const entry = (path: string, bytes: Uint8Array, mode = "100644"): EntryInfo => ({ path, mode, size: bytes.length });
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
const BOM = [0xef, 0xbb, 0xbf];

function classify(path: string, bytes: Uint8Array, mode = "100644", maxFileBytes = options.maxFileBytes): SourceFile | Skip {
  return classifyFile(entry(path, bytes, mode), bytes, { maxFileBytes });
}

describe("classifyFile: source files", () => {
  const cases: { name: string; bytes: Uint8Array; expected: Partial<SourceFile> }[] = [
    {
      name: "LF with final newline",
      bytes: utf8("a\nb\n"),
      expected: { content: "a\nb\n", eol: "\n", hasBom: false, hasFinalNewline: true, bytes: 4 },
    },
    {
      name: "CRLF",
      bytes: utf8("a\r\nb\r\n"),
      expected: { content: "a\r\nb\r\n", eol: "\r\n", hasFinalNewline: true },
    },
    {
      name: "first break decides (CRLF then LF)",
      bytes: utf8("a\r\nb\nc\n"),
      expected: { eol: "\r\n" },
    },
    {
      name: "first break decides (LF then CRLF)",
      bytes: utf8("a\nb\r\n"),
      expected: { eol: "\n" },
    },
    {
      name: "no final newline",
      bytes: utf8("export const a = 1;"),
      expected: { content: "export const a = 1;", hasFinalNewline: false, eol: "\n" },
    },
    {
      name: "BOM is stripped and remembered",
      bytes: new Uint8Array([...BOM, ...utf8("x\r\n")]),
      expected: { content: "x\r\n", hasBom: true, eol: "\r\n", bytes: 6 },
    },
    {
      name: "non-ASCII UTF-8",
      bytes: utf8("export const greeting = 'héllo wörld ✓ 日本';\n"),
      expected: { content: "export const greeting = 'héllo wörld ✓ 日本';\n" },
    },
    {
      name: "whitespace-only is not empty",
      bytes: utf8("\n"),
      expected: { content: "\n", hasFinalNewline: true },
    },
  ];
  it.each(cases)("$name", ({ bytes, expected }) => {
    const result = classify("src/a.js", bytes);
    expect(result).toMatchObject({ path: "src/a.js", mode: "100644", ...expected });
    expect("reason" in result).toBe(false);
  });

  it("a NUL byte after the first 8,000 bytes does not make a file binary (git's heuristic)", () => {
    const bytes = new Uint8Array([...utf8("a".repeat(8000)), 0]);
    expect(classify("a.js", bytes, "100644", 10_000)).toMatchObject({ path: "a.js", bytes: 8001 });
  });

  it("keeps the executable mode", () => {
    expect(classify("bin/cli.js", utf8("#!/usr/bin/env node\n"), "100755")).toMatchObject({ mode: "100755" });
  });
});

describe("classifyFile: skips", () => {
  const big = utf8("x".repeat(1001));
  const cases: { name: string; path: string; bytes: Uint8Array; mode?: string; max?: number; reason: Skip["reason"] }[] = [
    { name: "binary (NUL byte)", path: "a.js", bytes: new Uint8Array([0x61, 0x00, 0x62]), reason: "binary" },
    {
      name: "binary with NUL late in the first 8,000 bytes",
      path: "a.js",
      bytes: new Uint8Array([...utf8("a".repeat(7990)), 0]),
      max: 10_000,
      reason: "binary",
    },
    { name: "UTF-16 with BOM", path: "a.js", bytes: new Uint8Array([0xff, 0xfe, 0x61, 0x00]), reason: "binary" },
    { name: "Latin-1 bytes", path: "a.js", bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), reason: "not-utf8" },
    { name: "truncated UTF-8 sequence", path: "a.js", bytes: new Uint8Array([0x61, 0xe2, 0x82]), reason: "not-utf8" },
    { name: "empty", path: "a.js", bytes: new Uint8Array(), reason: "empty" },
    { name: "only a BOM", path: "a.js", bytes: new Uint8Array(BOM), reason: "empty" },
    { name: "too large", path: "a.js", bytes: big, reason: "too-large" },
    { name: "secret name", path: "config/.env", bytes: utf8("A=1\n"), reason: "secret-name" },
    {
      name: "secret content",
      path: "src/config.js",
      bytes: utf8(`export const key = "${"AKIA" + "Q3EGRT7XWZ2PLM4N"}";\n`),
      reason: "secret-content",
    },
    { name: "symlink", path: "src/link.js", bytes: utf8("target.js"), mode: "120000", reason: "symlink" },
    { name: "submodule", path: "vendor/lib", bytes: new Uint8Array(), mode: "160000", reason: "submodule" },
  ];
  it.each(cases)("$name → $reason", ({ path, bytes, mode, max, reason }) => {
    const result = classify(path, bytes, mode, max);
    expect(result).toMatchObject({ path, reason });
    expect((result as Skip).detail.length).toBeGreaterThan(0);
  });

  it("a secret-content detail names the kind and line, not the key", () => {
    const key = "AKIA" + "Q3EGRT7XWZ2PLM4N";
    const result = classify("src/config.js", utf8(`// config\nexport const key = "${key}";\n`)) as Skip;
    expect(result.detail).toContain("AWS access key (line 2)");
    expect(result.detail).not.toContain(key);
  });
});

describe("skipBeforeReading", () => {
  it("decides too-large from the tree entry's size alone", () => {
    expect(skipBeforeReading({ path: "a.js", mode: "100644", size: 5000 }, options)).toMatchObject({
      reason: "too-large",
      detail: "5000 bytes, over maxFileBytes (1000)",
    });
  });

  it("a file exactly at maxFileBytes is read", () => {
    expect(skipBeforeReading({ path: "a.js", mode: "100644", size: 1000 }, options)).toBeNull();
  });

  it("flags a file name that is not UTF-8", () => {
    expect(skipBeforeReading({ path: "caf\uFFFD.js", mode: "100644", size: 3, isPathUtf8: false }, options)).toMatchObject({
      reason: "not-utf8",
    });
  });

  it("a secret name wins over size and symlink", () => {
    expect(skipBeforeReading({ path: "prod.pem", mode: "100644", size: 1e9 }, options)?.reason).toBe("secret-name");
    expect(skipBeforeReading({ path: ".env", mode: "120000", size: 10 }, options)?.reason).toBe("secret-name");
  });
});

describe("detectEol", () => {
  it.each([
    ["", "\n"],
    ["no break", "\n"],
    ["\n", "\n"],
    ["\r\n", "\r\n"],
    ["a\rb\nc", "\n"],
  ])("%j → %j", (text, eol) => {
    expect(detectEol(text)).toBe(eol);
  });
});
