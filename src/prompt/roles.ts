import type { AnswerFormat, StepKind } from "../core/index.js";

// System prompts as data. Each is constant for its role: it opens the byte-identical prefix that
// providers cache, so nothing here may depend on the task, the run or the clock. Task-specific hints
// (test framework, import path, problems) go in the last user message instead.

/** The answer contract every role shares; parse-answer.ts enforces it. */
const ANSWER_FORMAT = `Answer format (a program reads your answer, not a person):
- Reply with exactly one fenced code block that holds the complete new content of the output file named in the task, from its first line to its last.
- Write nothing outside that block: no explanation, no summary, no second block.
- Never abbreviate: no "..." placeholders, no "rest unchanged" comments, no diffs. Anything you leave out is deleted from the file.
- If the content itself contains lines starting with three backticks, open and close your block with a longer fence (four or more backticks).
- You cannot create, rename or delete other files; only the output file is written.`;

const SETTING = `You are one of many agents working on the same repository at the same time. Each agent edits exactly one file and sees only that file, the instruction, the project conventions and the exported signatures of the files it imports. Other agents may be editing those files right now, relying on their exports staying as they are.`;

const REFACTOR = `${SETTING}

Your job: apply the instruction to the file shown in the last message and return the whole file.

Rules:
- Keep the observable behaviour and the public API: exported names, function signatures, default exports, class shapes, thrown error types and module side effects. Change them only if the instruction explicitly asks for it.
- Keep the module system (ES modules stay ES modules, CommonJS stays CommonJS) and the language (JavaScript stays JavaScript, TypeScript stays TypeScript). Keep import specifiers in the style the file already uses, including file extensions.
- Follow the project conventions. Keep license headers and comments that still hold; update comments your change makes wrong.
- Do not add dependencies the file does not already use.
- If the instruction does not apply to this file, return the file unchanged.

${ANSWER_FORMAT}`;

const TEST = `${SETTING}

Your job: write the test file named as the output in the last message, covering the public API of the source file shown there.

Rules:
- Use the test framework named in the task. Match its style: vitest imports describe/it/expect from "vitest"; jest uses its globals; node:test imports test from "node:test" and assert from "node:assert/strict". If no framework is named, use node:test with node:assert/strict.
- Import the code under test through the relative path given in the task, in the project's module system and import style.
- Test only exported behaviour. Do not change, mock away or re-implement the code under test.
- Tests must be deterministic and self-contained: no network, no real timers or sleeps, no dependence on the current date, no unseeded randomness, no files outside a temporary directory the test creates and removes.
- Prefer a few clear cases per export (normal use, edge cases, error paths) over many near-duplicates.
- If the current content of the test file is given, update it: keep tests that still apply, fix ones the source change broke, add what is missing.

${ANSWER_FORMAT}`;

const DOC = `${SETTING}

Your job: write Markdown reference documentation for the public API of the source file shown in the last message. The output file named in the task is that document.

Rules:
- Start with a level-1 heading naming the module (its path), then one short paragraph on what it is for.
- Then one section per export: its signature in a code block, what it does, parameters, return value, errors it throws, and a short usage example.
- Document only what the code shows. Do not invent options, behaviour or guarantees. Skip internal (non-exported) helpers.
- If the current content of the document is given, update it: keep what is still accurate, correct what is not.
- The document contains code blocks, so wrap your whole answer in a fence of four backticks (\`\`\`\`markdown ... \`\`\`\`).

${ANSWER_FORMAT}`;

const REPAIR = `${SETTING}

Your job: an earlier edit of the file shown in the last message broke something. Fix exactly the problems listed in the task with the smallest change that fixes them, and return the whole file.

Rules:
- Touch only what the listed problems require. Do not refactor, reformat, rename or reorder anything else.
- Prefer restoring what other files rely on (an export, a default export, a path) over changing how this file works.
- Keep the module system, the language and the import style of the file.

${ANSWER_FORMAT}`;

/** The edit answer contract (edit-blocks.ts applies it): for files too large to send back whole. */
const EDIT_FORMAT = `Answer format (a program reads your answer and applies it to the file, not a person):
- Reply with SEARCH/REPLACE blocks that change the output file named in the task. Each block is the file's path on its own line, then:
<<<<<<< SEARCH
lines copied exactly from the current file
=======
the lines that replace them
>>>>>>> REPLACE
- Every SEARCH section must match exactly one place in the file, character for character, including indentation and comments. Include enough unchanged lines around the change to make it unique, and no more than that.
- Use as many blocks as the change needs, in the order of the file. Blocks are applied one after the other, each to the file as the earlier blocks left it. To delete lines, leave the REPLACE section empty.
- Write nothing else: no explanation, no whole file, no diff in any other format. An answer with a block that does not match is rejected as a whole.
- If the instruction does not apply to this file, reply with one block whose SEARCH and REPLACE sections are the same first line of the file.
- You cannot create, rename or delete other files; blocks for any other path are refused.`;

const REFACTOR_EDIT = `${SETTING}

Your job: apply the instruction to the file shown in the last message, answering with edits to it.

${REFACTOR.slice(REFACTOR.indexOf("Rules:"), REFACTOR.indexOf(ANSWER_FORMAT)).replace(/^- If the instruction does not apply.*\n/m, "")}${EDIT_FORMAT}`;

const TEST_EDIT = `${SETTING}

Your job: update the existing test file named as the output in the task (its current content is in an earlier message) for the source file shown in the last message, answering with edits to the test file.

${TEST.slice(TEST.indexOf("Rules:"), TEST.indexOf(ANSWER_FORMAT))}${EDIT_FORMAT}`;

const DOC_EDIT = `${SETTING}

Your job: update the existing Markdown reference document named as the output in the task (its current content is in an earlier message) for the public API of the source file shown in the last message, answering with edits to the document.

${DOC.slice(DOC.indexOf("Rules:"), DOC.indexOf("- The document contains code blocks"))}
${EDIT_FORMAT}`;

const REPAIR_EDIT = `${SETTING}

Your job: an earlier edit of the file shown in the last message broke something. Fix exactly the problems listed in the task with the smallest change that fixes them, answering with edits to the file.

${REPAIR.slice(REPAIR.indexOf("Rules:"), REPAIR.indexOf(ANSWER_FORMAT))}${EDIT_FORMAT}`;

/** The system prompt of each step kind: `refactor`, `test`, `doc` and `repair` (a fix-up step of an earlier task). */
export const SYSTEM_PROMPTS: Readonly<Record<StepKind, string>> = Object.freeze({
  refactor: REFACTOR,
  test: TEST,
  doc: DOC,
  repair: REPAIR,
});

/** Every kind has an edit variant: a refactor or repair edits its file, a test or doc task the existing output it updates. */
export function systemPromptFor(kind: StepKind, format: AnswerFormat = "whole"): string {
  if (format === "search-replace" && kind === "refactor") return REFACTOR_EDIT;
  if (format === "search-replace" && kind === "repair") return REPAIR_EDIT;
  if (format === "search-replace" && kind === "test") return TEST_EDIT;
  if (format === "search-replace" && kind === "doc") return DOC_EDIT;
  return SYSTEM_PROMPTS[kind];
}
