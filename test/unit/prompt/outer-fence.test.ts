import { describe, expect, it } from "vitest";
import { parseAnswer } from "../../../src/prompt/parse-answer.js";

const F = "```";
const file = `/**\nExample:\n${F}\nimport ky from "ky";\n${F}\n*/\nexport const a = 1;\n`;

describe("parseAnswer: the three-backtick outer fence around a file with fence lines", () => {
  const opts = { sourceHasFences: true };
  it("accepts one outer fence whose inner fences balance, with a short preface and blank lines around", () => {
    expect(parseAnswer(`${F}ts\n${file}${F}\n`, "stop", opts)).toEqual({ ok: true, content: file });
    expect(parseAnswer(`Here is the file:\n\n${F}ts\n${file}${F}\n\n`, "stop", opts)).toEqual({ ok: true, content: file });
  });
  it("stays strict when the source holds no fence lines", () => {
    expect(parseAnswer(`${F}ts\n${file}${F}\n`, "stop")).toMatchObject({ ok: false, error: { code: "many-code-blocks" } });
  });
  it("refuses what has another reading: text after the last fence, a long explanation first, an info string closing a block", () => {
    expect(parseAnswer(`${F}ts\n${file}${F}\nHope this helps!\n`, "stop", opts)).toMatchObject({ ok: false });
    expect(parseAnswer(`${"I changed a lot of things here. ".repeat(12)}\n${F}ts\n${file}${F}\n`, "stop", opts)).toMatchObject({ ok: false });
    expect(parseAnswer(`${F}ts\na\n${F}\n\n${F}ts\nb\n${F}\n`, "stop", opts)).toMatchObject({ ok: false, error: { code: "many-code-blocks" } });
  });
});
