// Property tests of the answer parser: model output is untrusted input, so the parser must be total
// (never throw, whatever arrives) and must either yield exactly one file's content or say clearly why not.
// Fixed seed: the same cases on every run; a failure prints the seed and path to replay it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeBlock, normalizeEol } from "../../../src/prompt/fence.js";
import { parseAnswer, type ParsedAnswer } from "../../../src/prompt/parse-answer.js";

const SEED = 42;
const FAILURE_CODES = ["truncated", "no-code-block", "many-code-blocks"];

const finishReasons = fc.constantFrom<string | null | undefined>("stop", "length", null, undefined, "content_filter", "tool_calls");

/** Pieces a hostile or confused model could produce: fences of every length, nested backticks, BOMs, CRs. */
const piece = fc.oneof(
  fc.constantFrom("`", "``", "```", "````", "`````", "~~~", "~~~~", "```js", "```markdown", "~~~md", "```ts title=../x.ts", "   ```", "    ```"),
  fc.constantFrom("\n", "\r\n", "\r", " ", "\t", "\uFEFF", "\u0000", "<|endoftext|>", "File: ../../etc/passwd", "Output: .git/config"),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);
const anyAnswer = fc.oneof(
  fc.array(piece, { maxLength: 60 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 400 }),
);

/** Checks the shape every result must have, and returns it for further checks. */
function expectWellFormed(result: ParsedAnswer): ParsedAnswer {
  if (result.ok) {
    expect(Object.keys(result).sort()).toEqual(["content", "ok"]);
    expect(typeof result.content).toBe("string");
    expect(result.content.endsWith("\n")).toBe(true);
    expect(result.content.trim()).not.toBe("");
    expect(result.content).not.toContain("\r\n");
  } else {
    expect(FAILURE_CODES).toContain(result.error.code);
    expect(result.error.message.trim()).not.toBe("");
    expect(result.error.message).not.toContain("\n");
  }
  return result;
}

describe("parseAnswer properties (fast-check, seed 42)", () => {
  it("never throws on any text and any finish_reason, and always returns content or a clear reason", () => {
    fc.assert(
      fc.property(anyAnswer, finishReasons, (text, finish) => {
        const result = expectWellFormed(parseAnswer(text, finish));
        if (finish === "length") expect(result).toEqual({ ok: false, error: { code: "truncated", message: expect.stringContaining("length") } });
        // Pure: the same answer always parses the same way.
        expect(parseAnswer(text, finish)).toEqual(result);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("never throws on values smuggled past the types", () => {
    const junk = fc.oneof(fc.anything(), fc.constant(null), fc.constant(undefined));
    fc.assert(
      fc.property(junk, junk, (text, finish) => {
        expectWellFormed(parseAnswer(text as string, finish as string));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("round-trips any content wrapped by codeBlock (fence longer than every backtick run) between prose", () => {
    const prose = fc.array(fc.string({ maxLength: 30 }).filter((line) => !/^ {0,3}(`{3,}|~{3,})/.test(line) && !line.includes("\r")), { maxLength: 3 });
    const content = fc.array(fc.oneof(piece, fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 30 }).map((parts) => parts.join("").replace(/\uFEFF/g, ""));
    fc.assert(
      fc.property(prose, content, prose, fc.constantFrom("ts", "js", "", "python"), (before, body, after, lang) => {
        const normalized = normalizeEol(body);
        fc.pre(normalized.trim() !== "");
        const text = [...before, codeBlock(body, lang), ...after].join("\n");
        expect(parseAnswer(text, "stop")).toEqual({ ok: true, content: normalized.endsWith("\n") ? normalized : `${normalized}\n` });
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  describe("answers built from known blocks: the parser agrees with the structure", () => {
    /** A block whose fence (char × length) cannot be closed or nested by anything in its own lines. */
    const block = fc
      .record({
        char: fc.constantFrom("`", "~"),
        length: fc.integer({ min: 3, max: 8 }),
        info: fc.constantFrom("", "js", "ts", "python", "js title=../../x.js", "sh path=/etc/passwd"),
        lines: fc.array(fc.string({ maxLength: 16 }), { maxLength: 8 }),
        shorterRun: fc.integer({ min: 1, max: 7 }),
      })
      .map(({ char, length, info, lines, shorterRun }) => {
        const run = char.repeat(Math.min(shorterRun, length - 1));
        // Nested backticks/tildes shorter than the fence, at line starts too, and no CRs (they would
        // change the line structure the oracle below counts on).
        const body = lines.map((line, i) => (i % 3 === 1 ? `${run}${line}` : line).replace(/\r/g, "").replace(new RegExp(`\\${char}{${length},}`, "g"), run));
        const fence = char.repeat(length);
        return { fence, info: char === "`" ? info : info.replace(/`/g, ""), body };
      });
    const prose = fc.string({ maxLength: 40 }).filter((line) => !/^ {0,3}(`{3,}|~{3,})/m.test(line) && !line.includes("\r"));

    it("zero blocks: no-code-block; one block: exactly its lines; two or more: many-code-blocks", () => {
      fc.assert(
        fc.property(fc.array(block, { maxLength: 4 }), fc.array(prose, { minLength: 5, maxLength: 5 }), fc.boolean(), finishReasons, (blocks, gaps, useCrlf, finish) => {
          const parts: string[] = [gaps[0]!];
          blocks.forEach((b, i) => parts.push(`${b.fence}${b.info}`, ...b.body, b.fence, gaps[(i + 1) % gaps.length]!));
          const text = parts.join(useCrlf ? "\r\n" : "\n");
          const result = expectWellFormed(parseAnswer(text, finish));

          if (finish === "length") return void expect(result).toMatchObject({ ok: false, error: { code: "truncated" } });
          if (blocks.length === 0) return void expect(result).toMatchObject({ ok: false, error: { code: "no-code-block" } });
          if (blocks.length === 1) {
            const [only] = blocks;
            if (only!.body.every((line) => line.trim() === "")) {
              return void expect(result).toEqual({ ok: false, error: { code: "no-code-block", message: "empty code block" } });
            }
            return void expect(result).toEqual({ ok: true, content: `${only!.body.join("\n")}\n` });
          }
          expect(result).toMatchObject({ ok: false, error: { code: "many-code-blocks", message: `${blocks.length} code blocks in the answer; expected exactly one` } });
        }),
        { seed: SEED, numRuns: 2000 },
      );
    });

    it("a block left open at the end is never taken for a complete file", () => {
      fc.assert(
        fc.property(block, prose, (b, intro) => {
          const text = [intro, `${b.fence}${b.info}`, ...b.body].join("\n");
          expect(parseAnswer(text, "stop")).toMatchObject({ ok: false, error: { code: "no-code-block" } });
        }),
        { seed: SEED, numRuns: 1000 },
      );
    });
  });
});
