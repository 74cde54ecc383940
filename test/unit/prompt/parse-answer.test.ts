import { describe, expect, it } from "vitest";
import { parseAnswer } from "../../../src/prompt/parse-answer.js";
import { codeBlock, normalizeEol } from "../../../src/prompt/fence.js";

const F = "```";

type Case = {
  name: string;
  text: string | null | undefined;
  finishReason?: string | null;
  content?: string;
  code?: "truncated" | "no-code-block" | "many-code-blocks";
  message?: RegExp;
};

const cases: Case[] = [
  { name: "plain block", text: `${F}js\nconst a = 1;\n${F}`, content: "const a = 1;\n" },
  { name: "no info string", text: `${F}\nx\n${F}`, content: "x\n" },
  { name: "info string with attributes", text: `${F}js title=src/a.js\nx\n${F}`, content: "x\n" },
  { name: "path in info string is ignored", text: `${F}js src/other.js\nexport {};\n${F}`, content: "export {};\n" },
  { name: "prose before and after", text: `Here it is:\n\n${F}ts\nlet a = 1;\n${F}\n\nHope this helps.`, content: "let a = 1;\n" },
  { name: "CRLF answer", text: `intro\r\n${F}js\r\na();\r\nb();\r\n${F}\r\n`, content: "a();\nb();\n" },
  { name: "tilde fence", text: `~~~js\nx\n~~~`, content: "x\n" },
  { name: "tilde fence holding backtick fences", text: `~~~md\n${F}js\nx\n${F}\n~~~`, content: `${F}js\nx\n${F}\n` },
  { name: "four backticks holding three", text: `${F}\`markdown\n# T\n\n${F}js\nx\n${F}\n${F}\``, content: `# T\n\n${F}js\nx\n${F}\n` },
  { name: "closing fence longer than opening", text: `${F}js\nx\n${F}\`\``, content: "x\n" },
  { name: "shorter fence inside does not close", text: `${F}\`\nmid\n${F}\nend\n${F}\``, content: `mid\n${F}\nend\n` },
  { name: "tilde line inside backtick block", text: `${F}\na\n~~~\nb\n${F}`, content: "a\n~~~\nb\n" },
  { name: "indented fence strips indent from content", text: `  ${F}js\n  a();\n    b();\n c();\n  ${F}`, content: "a();\n  b();\nc();\n" },
  { name: "blank lines kept inside", text: `${F}\n\na\n\n${F}`, content: "\na\n\n" },
  { name: "closing fence with trailing spaces", text: `${F}js\nx\n${F}   \n`, content: "x\n" },
  { name: "trailing stray fence is ignored", text: `${F}js\nx\n${F}\n${F}`, content: "x\n" },
  { name: "leading BOM", text: `\uFEFF${F}js\nx\n${F}`, content: "x\n" },
  { name: "content with <|endoftext|>", text: `${F}\nconst s = "<|endoftext|>";\n${F}`, content: 'const s = "<|endoftext|>";\n' },
  {
    name: "nested info fence inside markdown (not lengthened)",
    text: `${F}markdown\n# API\n\n${F}ts\nfoo(): void\n${F}\n\nDone.\n${F}`,
    content: `# API\n\n${F}ts\nfoo(): void\n${F}\n\nDone.\n`,
  },
  {
    name: "bare nested fences inside markdown are merged",
    text: `${F}markdown\n# A\n${F}\nnpm i\n${F}\ntext\n${F}`,
    content: `# A\n${F}\nnpm i\n${F}\ntext\n`,
  },
  { name: "truncated wins over a good block", text: `${F}js\nx\n${F}`, finishReason: "length", code: "truncated" },
  { name: "truncated with null text", text: null, finishReason: "length", code: "truncated" },
  { name: "null text", text: null, finishReason: "stop", code: "no-code-block", message: /empty answer/ },
  { name: "undefined text", text: undefined, code: "no-code-block", message: /empty answer/ },
  { name: "whitespace only", text: "  \n\t\n", code: "no-code-block", message: /empty answer/ },
  { name: "prose only", text: "I cannot do that.", code: "no-code-block", message: /no fenced code block/ },
  { name: "inline triple backticks are not a fence", text: "use ```js``` here", code: "no-code-block" },
  { name: "backtick in info string is not a fence", text: `${F}js\`\nx\n${F}`, code: "no-code-block" },
  { name: "four-space indent is not a fence", text: `    ${F}js\n    x\n    ${F}`, code: "no-code-block" },
  { name: "two backticks are not a fence", text: "``\nx\n``", code: "no-code-block" },
  { name: "unterminated block", text: `${F}js\nconst a = 1;\n`, code: "no-code-block", message: /unterminated/ },
  { name: "unterminated tilde block closed by backticks", text: `~~~\nx\n${F}`, code: "no-code-block", message: /unterminated/ },
  { name: "empty block", text: `${F}js\n${F}`, code: "no-code-block", message: /empty code block/ },
  { name: "blank-only block", text: `${F}js\n  \n\n${F}`, code: "no-code-block", message: /empty code block/ },
  { name: "two blocks", text: `${F}js\na\n${F}\nand\n${F}js\nb\n${F}`, code: "many-code-blocks", message: /2 code blocks/ },
  { name: "three blocks", text: `${F}\na\n${F}\n${F}\nb\n${F}\n${F}\nc\n${F}`, code: "many-code-blocks", message: /3 code blocks/ },
  { name: "block then unterminated block", text: `${F}js\na\n${F}\n${F}js\nb\n`, code: "many-code-blocks", message: /unterminated/ },
  { name: "closing fence with info does not close", text: `${F}js\na\n${F}js\n`, code: "no-code-block", message: /unterminated/ },
];

describe("parseAnswer", () => {
  it.each(cases)("$name", ({ text, finishReason, content, code, message }) => {
    const result = parseAnswer(text, finishReason ?? "stop");
    if (content !== undefined) {
      expect(result).toEqual({ ok: true, content });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(code);
        if (message) expect(result.error.message).toMatch(message);
      }
    }
  });

  it("round-trips what codeBlock writes, whatever backtick runs the content holds", () => {
    const contents = [
      "plain\n",
      "no final newline",
      "a ``` b\n```\n````js\nx\n````\n",
      "~~~\n~~~~\n",
      "",
      "line1\r\nline2\r\n",
    ];
    for (const content of contents) {
      const result = parseAnswer(`Sure:\n\n${codeBlock(content, "js")}\n`, "stop");
      const expected = normalizeEol(content);
      if (expected.trim() === "") {
        expect(result.ok).toBe(false);
      } else {
        expect(result).toEqual({ ok: true, content: expected.endsWith("\n") ? expected : `${expected}\n` });
      }
    }
  });

  it("never throws, even on non-string input smuggled past the types", () => {
    for (const value of [42, {}, [], Symbol.iterator, true] as unknown[]) {
      expect(() => parseAnswer(value as string, undefined)).not.toThrow();
      expect(parseAnswer(value as string, undefined).ok).toBe(false);
    }
  });

  it("handles a large answer in linear time (no regex blow-up)", () => {
    const body = `${"`".repeat(2)} ${"~".repeat(2)} x\n`.repeat(50_000);
    const result = parseAnswer(`${F}\n${body}${F}`, "stop");
    expect(result).toEqual({ ok: true, content: body });
  });
});

describe("parseAnswer on generated answers (seeded)", () => {
  // mulberry32: small, fixed-seed PRNG so the cases are the same on every run.
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pieces = ["`", "~", " ", "\n", "\r\n", "\r", "a", "js", "```", "~~~", "````", "```md", "\uFEFF", "<|endoftext|>", "\t"];

  it("is total and returns content ending in exactly the block's lines + newline", () => {
    const random = rng(20260101);
    for (let n = 0; n < 2000; n++) {
      let text = "";
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const finish = random() < 0.05 ? "length" : "stop";
      const result = parseAnswer(text, finish);
      if (finish === "length") expect(result).toMatchObject({ ok: false, error: { code: "truncated" } });
      if (result.ok) {
        expect(result.content.endsWith("\n")).toBe(true);
        expect(result.content.trim()).not.toBe("");
        expect(result.content.includes("\r\n")).toBe(false);
      } else {
        expect(["truncated", "no-code-block", "many-code-blocks"]).toContain(result.error.code);
        expect(result.error.message.length).toBeGreaterThan(0);
      }
    }
  });

  it("recovers any content wrapped by codeBlock between prose lines", () => {
    const random = rng(7);
    for (let n = 0; n < 2000; n++) {
      let content = "";
      const length = 1 + Math.floor(random() * 30);
      for (let i = 0; i < length; i++) content += pieces[Math.floor(random() * pieces.length)];
      content = content.replace(/\uFEFF/g, "");
      const normalized = normalizeEol(content);
      if (normalized.trim() === "") continue;
      const result = parseAnswer(`Here:\n${codeBlock(content, "ts")}\nDone.`, "stop");
      const expected = normalized.endsWith("\n") ? normalized : `${normalized}\n`;
      expect(result).toEqual({ ok: true, content: expected });
    }
  });
});
