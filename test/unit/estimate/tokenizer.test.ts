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
