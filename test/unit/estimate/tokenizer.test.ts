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

describe("countTokens: finding long runs cheaply (issue 16)", () => {
  it("slices exactly the runs a plain \\S{257,} scan finds: at 256 and 257 characters, and across Unicode spaces", () => {
    const encoder = createRequire(import.meta.url)("gpt-tokenizer/cjs/encoding/o200k_base") as { countTokens(t: string, o: object): number };
    const plain = { disallowedSpecial: new Set() };
    // The slicing as first written: every long run, found by the regex alone, counted 256 characters at a time.
    const reference = (text: string) => {
      let total = 0;
      let from = 0;
      for (const m of text.matchAll(/\S{257,}/g)) {
        total += encoder.countTokens(text.slice(from, m.index), plain);
        for (let i = 0; i < m[0].length; i += 256) total += encoder.countTokens(m[0].slice(i, i + 256), plain);
        from = m.index + m[0].length;
      }
      return total + encoder.countTokens(text.slice(from), plain);
    };
    const run = (n: number) => Array.from({ length: n }, (_, i) => "abc=1;"[i % 6]).join("");
    for (const text of [
      run(256),
      run(257),
      `x ${run(256)} y`,
      `x ${run(257)}\n${run(600)}\ty`,
      `${run(200)}\u00a0${run(200)}`,
      `${run(200)}\u3000${run(300)}\u2028${run(100)}`,
      `const a = "${run(1000)}";\n`.repeat(3),
    ]) {
      expect(countTokens(text)).toBe(reference(text));
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
