import { describe, expect, it } from "vitest";
import type { Task } from "../../../src/core/types.js";
import { buildMessages } from "../../../src/prompt/build-messages.js";
import { answerFormatFor, type FormatInput } from "../../../src/prompt/edit-format.js";
import { withRetryNote } from "../../../src/prompt/retry-note.js";

const refactor = { role: "refactor", file: "src/a.ts", output: "src/a.ts" } as const;
const base: FormatInput = { setting: "auto", wholeTokens: 1000, thresholdTokens: 2000, maxOutputTokens: 16_000 };

describe("answerFormatFor", () => {
  it.each([
    { name: "auto, small file: whole", task: refactor, input: {}, format: "whole" },
    { name: "auto, above the threshold: edits", task: refactor, input: { wholeTokens: 2001 }, format: "search-replace" },
    { name: "auto, under the threshold but past the max output: edits", task: refactor, input: { thresholdTokens: 50_000, wholeTokens: 20_000 }, format: "search-replace" },
    { name: "whole, large file: whole", task: refactor, input: { setting: "whole", wholeTokens: 90_000 }, format: "whole" },
    { name: "search-replace, small file: edits", task: refactor, input: { setting: "search-replace", wholeTokens: 10 }, format: "search-replace" },
    { name: "a test task is a new file: whole", task: { role: "test", file: "src/a.ts", output: "src/a.test.ts" }, input: { setting: "search-replace", wholeTokens: 90_000 }, format: "whole" },
    { name: "a doc task: whole", task: { role: "doc", file: "src/a.ts", output: "docs/src/a.ts.md" }, input: { wholeTokens: 90_000 }, format: "whole" },
    { name: "a test task updating a large existing test: edits", task: { role: "test", file: "src/a.ts", output: "src/a.test.ts" }, input: { wholeTokens: 8000, updatesExisting: true }, format: "search-replace" },
    { name: "a doc task updating a large existing doc: edits", task: { role: "doc", file: "src/a.ts", output: "docs/src/a.ts.md" }, input: { wholeTokens: 8000, updatesExisting: true }, format: "search-replace" },
    { name: "a doc task updating a small existing doc: whole", task: { role: "doc", file: "src/a.ts", output: "docs/src/a.ts.md" }, input: { wholeTokens: 500, updatesExisting: true }, format: "whole" },
  ] as const)("$name", ({ task, input, format }) => {
    expect(answerFormatFor(task, { ...base, ...input })).toBe(format);
  });
});

describe("the edit prompt", () => {
  const task: Task = { id: "refactor:src/a.ts", role: "refactor", file: "src/a.ts", output: "src/a.ts", dependsOn: [], bytes: 20 };
  const input = { task, instruction: "x", conventions: "", source: { path: "src/a.ts", content: "const a = 1;\n" } };

  it("shows the SEARCH marker verbatim and asks for blocks; the whole-file prompt does not", () => {
    const edit = buildMessages({ ...input, format: "search-replace" });
    expect(edit[0].content).toContain("\n<<<<<<< SEARCH\n");
    expect(edit.at(-1)!.content).toContain("Answer with SEARCH/REPLACE blocks for src/a.ts.");
    const whole = buildMessages(input);
    expect(whole[0].content).not.toContain("<<<<<<< SEARCH");
    expect(whole.at(-1)!.content).toContain("Answer with the complete new content of src/a.ts.");
  });

  it("a doc task updating its existing document asks for blocks of that document, with no whole-file or fence rule", () => {
    const doc: Task = { id: "doc:src/a.ts", role: "doc", file: "src/a.ts", output: "docs/api/src/a.ts.md", dependsOn: [], bytes: 20 };
    const messages = buildMessages({ ...input, task: doc, existingOutput: "# src/a.ts\n", format: "search-replace" });
    expect(messages[0].content).toContain("\n<<<<<<< SEARCH\n");
    expect(messages[0].content).not.toContain("complete new content");
    expect(messages[0].content).not.toContain("four backticks");
    expect(messages.some((m) => m.content.startsWith("Current content of docs/api/src/a.ts.md"))).toBe(true);
    expect(messages.at(-1)!.content).toContain("Answer with SEARCH/REPLACE blocks for docs/api/src/a.ts.md.");
  });

  it("a failed edit's retry note carries the reason to an edit request, and nothing to the whole-file fallback", () => {
    const error = { code: "edit-failed", message: "block 2 of 3: SEARCH matches no lines" } as const;
    const retried = (messages: ReturnType<typeof buildMessages>) => withRetryNote({ model: "m", messages, maxOutputTokens: 100 }, error).messages;
    const edit = buildMessages({ ...input, format: "search-replace" });
    expect(retried(edit).at(-1)!.content).toMatch(/^Your previous answer could not be applied: block 2 of 3: SEARCH matches no lines/);
    const whole = buildMessages(input);
    expect(retried(whole)).toEqual(whole);
  });
});
