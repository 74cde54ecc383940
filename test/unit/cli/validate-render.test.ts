import { describe, expect, it } from "vitest";
import { renderNotes, renderValidation } from "../../../src/cli/commands/validate.js";

describe("swarm validate output", () => {
  it("escapes control characters in notes and problems: a file name cannot repaint the terminal or forge a line", () => {
    const notes = renderNotes(["no compiler check for evil\u001b[2J\n::error::forged.ts"]);
    expect(notes).toBe("warning: no compiler check for evil\\x1b[2J\\n::error::forged.ts\n");
    const text = renderValidation({
      repo: "/r", head: "a".repeat(40), changed: ["x\u202e.ts"], checked: 1, typeCheck: "all", notes: [],
      problems: [{ file: "x\u202e.ts", line: 3, message: "bad\rthing", code: "TS2304" } as never],
    });
    expect(text).not.toMatch(/[\u001b\u202e\r]/);
    expect(text.split("\n")[0]).toBe("x\\u202e.ts:3: bad\\rthing (TS2304)");
  });
});
