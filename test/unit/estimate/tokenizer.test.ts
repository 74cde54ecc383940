import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { countMessageTokens, countTokens } from "../../../src/estimate/tokenizer.js";

describe("countTokens (o200k_base)", () => {
  it.each([
    ["", 0],
    ["hello world", 2],
    ["The quick brown fox jumps over the lazy dog.", 10],
    ["const x = 1;\n", 6],
    ["你好，世界", 3],
  ])("%j → %i", (text, tokens) => {
    expect(countTokens(text)).toBe(tokens);
  });

  it("counts special-token text as plain text instead of throwing", () => {
    expect(countTokens("<|endoftext|>")).toBe(7);
    expect(countTokens('const s = "<|im_start|><|endofprompt|>";')).toBeGreaterThan(5);
  });

  it("counts a long run without spaces in slices, within 1% of the whole-piece count", () => {
    const { countTokens: wholePiece } = createRequire(import.meta.url)("gpt-tokenizer/cjs/encoding/o200k_base") as { countTokens(t: string, o: object): number };
    // A minified line and a base64 blob: one pre-tokenizer piece each, which the slicing exists for.
    const minified = Array.from({ length: 300 }, (_, i) => `a${i}=b${i}.map(c=>c*${i});`).join("");
    const blob = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)).toString("base64");
    for (const text of [`const x = "${minified}";\n`, `export const png = "${blob}";\n`]) {
      const exact = wholePiece(text, { disallowedSpecial: new Set() });
      expect(Math.abs(countTokens(text) - exact) / exact).toBeLessThan(0.01);
    }
  });
});

describe("countMessageTokens", () => {
  it("adds 4 per message and 3 for the reply", () => {
    expect(countMessageTokens([])).toBe(3);
    expect(countMessageTokens([{ content: "hello world" }])).toBe(2 + 4 + 3);
    expect(
      countMessageTokens([
        { content: "hello world" },
        { content: "The quick brown fox jumps over the lazy dog." },
      ]),
    ).toBe(2 + 10 + 2 * 4 + 3);
  });
});
