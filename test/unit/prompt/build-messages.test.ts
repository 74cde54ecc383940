import { describe, expect, it } from "vitest";
import type { Task } from "../../../src/core/types.js";
import { buildMessages, sharedPrefix, type BuildMessagesInput } from "../../../src/prompt/build-messages.js";
import { fenceFor, langFor, longestRun } from "../../../src/prompt/fence.js";
import { parseAnswer } from "../../../src/prompt/parse-answer.js";
import { SYSTEM_PROMPTS } from "../../../src/prompt/roles.js";

const task = (role: Task["role"], file: string, output: string): Task => ({
  id: `${role}:${file}`,
  role,
  file,
  output,
  dependsOn: role === "refactor" ? [] : [`refactor:${file}`],
  bytes: 100,
});

const base = (t: Task, content: string): BuildMessagesInput => ({
  task: t,
  instruction: "Convert callbacks to async/await.",
  conventions: "2-space indent.",
  source: { path: t.file, content },
});

/** Every line of `text` that opens or closes a top-level fence of at least `length` backticks. */
const fenceLines = (text: string, fence: string) => text.split("\n").filter((line) => line.startsWith(fence));

describe("sharedPrefix", () => {
  it("is the system prompt and the instruction + conventions, in the protocol's words", () => {
    expect(sharedPrefix("refactor", "Do X.", "Use tabs.")).toEqual([
      { role: "system", content: SYSTEM_PROMPTS.refactor },
      { role: "user", content: "Instruction:\nDo X.\n\nProject conventions:\nUse tabs." },
    ]);
  });

  it("says (none) when there are no conventions", () => {
    expect(sharedPrefix("doc", "Do X.", "")[1].content).toBe("Instruction:\nDo X.\n\nProject conventions:\n(none)");
    expect(sharedPrefix("doc", "Do X.", "  \n")[1].content).toBe("Instruction:\nDo X.\n\nProject conventions:\n(none)");
  });

  it("differs between roles only in the system prompt", () => {
    const roles = ["refactor", "test", "doc", "repair"] as const;
    const prompts = new Set(roles.map((r) => sharedPrefix(r, "i", "c")[0].content));
    expect(prompts.size).toBe(4);
    for (const r of roles) expect(sharedPrefix(r, "i", "c")[1]).toEqual(sharedPrefix("refactor", "i", "c")[1]);
  });
});

describe("buildMessages", () => {
  it("starts every task of one role with byte-identical messages[0..1]", () => {
    const a = buildMessages({ ...base(task("refactor", "src/a.js", "src/a.js"), "const a = 1;\n"), context: "sigs" });
    const b = buildMessages(base(task("refactor", "lib/deep/b.ts", "lib/deep/b.ts"), "export const b = 2;\n"));
    expect(JSON.stringify(a.slice(0, 2))).toBe(JSON.stringify(b.slice(0, 2)));
    expect(a.slice(0, 2)).toEqual(sharedPrefix("refactor", "Convert callbacks to async/await.", "2-space indent."));
    // Nothing task-specific leaks into the prefix.
    for (const m of a.slice(0, 2)) {
      expect(m.content).not.toContain("src/a.js");
      expect(m.content).not.toContain("const a = 1");
    }
  });

  it("ends with the header lines and exactly one block holding the file", () => {
    const content = "export function add(a, b) {\n  return a + b;\n}\n";
    const messages = buildMessages(base(task("refactor", "src/math.js", "src/math.js"), content));
    expect(messages).toHaveLength(3);
    const last = messages[2];
    expect(last.role).toBe("user");
    expect(last.content.startsWith("Role: refactor\nFile: src/math.js\nOutput: src/math.js\n\n")).toBe(true);
    expect(last.content.endsWith("```js\n" + content + "```")).toBe(true);
    expect(fenceLines(last.content, "```")).toHaveLength(2);
    expect(parseAnswer(last.content, "stop")).toEqual({ ok: true, content });
  });

  it("uses a fence longer than any backtick run in the content", () => {
    const content = "const md = `\n```js\nx\n```\n`;\nconst y = '``````';\n";
    const last = buildMessages(base(task("refactor", "src/md.js", "src/md.js"), content)).at(-1)!;
    expect(fenceFor(content)).toBe("```````");
    expect(last.content).toContain("```````js\n" + content + "```````");
    expect(parseAnswer(last.content, "stop")).toEqual({ ok: true, content });
  });

  it("adds a final newline and turns CRLF into LF inside the block", () => {
    const last = buildMessages(base(task("refactor", "src/w.ts", "src/w.ts"), "a();\r\nb();")).at(-1)!;
    expect(last.content.endsWith("```ts\na();\nb();\n```")).toBe(true);
  });

  it("puts context in its own message between the prefix and the file", () => {
    const messages = buildMessages({ ...base(task("refactor", "src/a.js", "src/a.js"), "x\n"), context: "### src/b.js\n```js\nexport function b(): void\n```" });
    expect(messages).toHaveLength(4);
    expect(messages[2].role).toBe("user");
    expect(messages[2].content).toContain("export function b(): void");
    expect(messages[2].content).toContain("src/a.js imports");
    expect(messages[3].content.startsWith("Role: refactor")).toBe(true);
  });

  it("skips an empty context", () => {
    expect(buildMessages({ ...base(task("refactor", "src/a.js", "src/a.js"), "x\n"), context: " \n" })).toHaveLength(3);
  });

  it("test role: names the framework and the relative path, and shows an existing test before the last message", () => {
    const t = task("test", "src/routes/users.js", "test/routes/users.test.js");
    const messages = buildMessages({
      ...base(t, "export const list = () => [];\n"),
      context: "sigs",
      existingOutput: "import { test } from 'node:test';\n",
      testFramework: "vitest",
    });
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "user", "user", "user"]);
    expect(messages[3].content).toContain("Current content of test/routes/users.test.js");
    expect(messages[3].content).toContain("import { test } from 'node:test';");
    const last = messages[4].content;
    expect(last).toMatch(/^Role: test\nFile: src\/routes\/users\.js\nOutput: test\/routes\/users\.test\.js\n\n/);
    expect(last).toContain("Test framework: vitest");
    expect(last).toContain("relative to the test file: ../../src/routes/users.js");
    expect(fenceLines(last, "```")).toHaveLength(2);
    expect(parseAnswer(last, "stop")).toEqual({ ok: true, content: "export const list = () => [];\n" });
  });

  it("test role beside the source uses ./", () => {
    const last = buildMessages(base(task("test", "src/a.ts", "src/a.test.ts"), "x\n")).at(-1)!.content;
    expect(last).toContain("relative to the test file: ./a.ts");
    expect(last).toContain("Test framework: (none detected)");
  });

  it("doc role: the file is shown in its own language, the output is Markdown", () => {
    const messages = buildMessages(base(task("doc", "src/a.ts", "docs/src/a.ts.md"), "export type A = 1;\n"));
    const last = messages.at(-1)!.content;
    expect(messages[0].content).toBe(SYSTEM_PROMPTS.doc);
    expect(last).toContain("Output: docs/src/a.ts.md");
    expect(last).toContain("```ts\nexport type A = 1;\n```");
  });

  it("existing doc with code fences gets a longer fence in its own message", () => {
    const messages = buildMessages({
      ...base(task("doc", "src/a.ts", "docs/a.md"), "x\n"),
      existingOutput: "# a\n\n```ts\nfoo()\n```\n",
    });
    expect(messages[2].content).toContain("````markdown\n# a\n\n```ts\nfoo()\n```\n````");
  });

  it("repair: the problems are listed and the repair prompt is used", () => {
    const t = task("refactor", "src/a.js", "src/a.js");
    const messages = buildMessages({ ...base(t, "export const a = 1;\n"), problems: "src/b.js imports `b` from ./a.js, which no longer exports it" });
    expect(messages[0].content).toBe(SYSTEM_PROMPTS.repair);
    const last = messages.at(-1)!.content;
    expect(last.startsWith("Role: repair\n")).toBe(true);
    expect(last).toContain("Problems to fix:\nsrc/b.js imports `b`");
    expect(parseAnswer(last, "stop")).toEqual({ ok: true, content: "export const a = 1;\n" });
  });

  it("repair prefix is the same for every repair step", () => {
    const a = buildMessages({ ...base(task("refactor", "src/a.js", "src/a.js"), "a\n"), problems: "p1" });
    const b = buildMessages({ ...base(task("test", "src/b.js", "src/b.test.js"), "b\n"), kind: "repair", problems: "p2" });
    expect(a.slice(0, 2)).toEqual(b.slice(0, 2));
  });
});

describe("fence helpers", () => {
  it.each([
    ["", 0],
    ["abc", 0],
    ["a`b", 1],
    ["``` and ````", 4],
    ["`\n`", 1],
  ])("longestRun(%j) = %i", (text, n) => {
    expect(longestRun(text, "`")).toBe(n);
  });

  it.each([
    ["src/a.js", "js"],
    ["src/a.mjs", "js"],
    ["src/a.cjs", "js"],
    ["src/A.JSX", "jsx"],
    ["src/a.ts", "ts"],
    ["src/a.mts", "ts"],
    ["src/a.d.ts", "ts"],
    ["src/a.tsx", "tsx"],
    ["docs/a.md", "markdown"],
    ["Makefile", "text"],
    [".eslintrc", "text"],
    ["a.weird", "text"],
  ])("langFor(%s) = %s", (path, lang) => {
    expect(langFor(path)).toBe(lang);
  });
});
