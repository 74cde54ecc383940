import { describe, expect, it } from "vitest";
import { decodeUtf8, normalizeText, stripBom } from "../../../src/util/text.js";

describe("decodeUtf8", () => {
  it("strips a byte-order mark and says it was there", () => {
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0a]))).toEqual({ text: "a\n", hasBom: true });
    expect(decodeUtf8(Buffer.from("é\n", "utf8"))).toEqual({ text: "é\n", hasBom: false });
  });

  it("is null for bytes that are not UTF-8, with or without a BOM", () => {
    expect(decodeUtf8(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toBeNull();
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0xff]))).toBeNull();
  });

  it("reads a view into a larger buffer at its own offset", () => {
    const whole = Buffer.from("xx\ufeffab", "utf8");
    expect(decodeUtf8(whole.subarray(2))).toEqual({ text: "ab", hasBom: true });
  });
});

describe("stripBom / normalizeText", () => {
  it("stripBom drops only a leading mark", () => {
    expect(stripBom("\ufeff{}")).toBe("{}");
    expect(stripBom("a\ufeff")).toBe("a\ufeff");
  });

  it("normalizeText ignores CRLF and trailing newlines, nothing else", () => {
    expect(normalizeText("a\r\nb\r\n\r\n")).toBe(normalizeText("a\nb"));
    expect(normalizeText("a \n")).not.toBe(normalizeText("a\n"));
  });
});
