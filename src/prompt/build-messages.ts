import { posix } from "node:path";
import type { AnswerFormat, StepKind, Task } from "../core/index.js";
import type { ChatMessage } from "../llm/index.js";
import { codeBlock, langFor } from "./fence.js";
import { systemPromptFor } from "./roles.js";

export type { ChatMessage };

export interface BuildMessagesInput {
  task: Task;
  /** The user's instruction, verbatim (it is part of the cached prefix). */
  instruction: string;
  /** Project conventions from config, verbatim; empty reads as "(none)". */
  conventions: string;
  /**
   * The file the agent works from: the task's source file; for test and doc tasks the refactored
   * content when the refactor succeeded; for repair, the current (broken) content of the output.
   */
  source: { path: string; content: string };
  /** Current content of the output path when it exists and is not the source (an existing test or doc). */
  existingOutput?: string;
  /**
   * Exported signatures of the files the source imports, already trimmed to the context budget.
   * Inserted verbatim under a heading, so the producer formats it as Markdown (one fenced block per file).
   */
  context?: string;
  /** One problem per line; given only for repair steps. */
  problems?: string;
  /** Test framework the repo already uses ("vitest", "jest", "node:test", "mocha"); test tasks only. */
  testFramework?: string;
  /** Step kind; default "repair" when `problems` is given, else the task's role. */
  kind?: StepKind;
  /** "search-replace": the answer edits `source` (refactor and repair only). @default "whole" */
  format?: AnswerFormat;
}

/**
 * messages[0..1]: the role's system prompt and the instruction + conventions. Byte-identical for every
 * task of one role in a run, so providers can cache them; nothing task-specific belongs here.
 */
export function sharedPrefix(kind: StepKind, instruction: string, conventions: string, format: AnswerFormat = "whole"): ChatMessage[] {
  const conventionsText = conventions.trim() === "" ? "(none)" : conventions;
  return [
    { role: "system", content: systemPromptFor(kind, format) },
    { role: "user", content: `Instruction:\n${instruction}\n\nProject conventions:\n${conventionsText}` },
  ];
}

/**
 * The chat messages of one step, in the agent protocol's order:
 * - the shared prefix (system prompt, instruction + conventions);
 * - the imports' exported signatures, when there are any;
 * - the current content of the output file, when it exists apart from the source (test/doc updates);
 * - last, the header lines and the one fenced block holding the file the agent works from.
 */
export function buildMessages(input: BuildMessagesInput): ChatMessage[] {
  const { task } = input;
  const kind: StepKind = input.kind ?? (input.problems !== undefined ? "repair" : task.role);
  const messages = sharedPrefix(kind, input.instruction, input.conventions, input.format);

  if (input.context !== undefined && input.context.trim() !== "") {
    // A repair's context is both sides of its problems (its imports' exports, its importers' uses).
    const heading =
      kind === "repair"
        ? `How ${input.source.path} connects to the files around it, as they are now (for reference only; do not output them):`
        : `Exported signatures of files that ${input.source.path} imports (for reference only; do not output them):`;
    messages.push({ role: "user", content: `${heading}\n\n${input.context}` });
  }

  if (input.existingOutput !== undefined) {
    messages.push({
      role: "user",
      content:
        `Current content of ${task.output} (update it rather than starting over):\n\n` +
        codeBlock(input.existingOutput, langFor(task.output)),
    });
  }

  const header = [`Role: ${kind}`, `File: ${input.source.path}`, `Output: ${task.output}`].join("\n");
  const notes = taskNotes(kind, input);
  messages.push({
    role: "user",
    content: `${header}\n\n${notes === "" ? "" : `${notes}\n\n`}${codeBlock(input.source.content, langFor(input.source.path))}`,
  });
  return messages;
}

/** The free text between the header and the block: what this one task needs to know. */
function taskNotes(kind: StepKind, input: BuildMessagesInput): string {
  const { task } = input;
  switch (kind) {
    case "refactor":
      return input.format === "search-replace"
        ? `Apply the instruction to this file. Answer with SEARCH/REPLACE blocks for ${task.output}.`
        : `Apply the instruction to this file. Answer with the complete new content of ${task.output}.`;
    case "test": {
      const lines = [
        `Test framework: ${input.testFramework?.trim() || "(none detected)"}`,
        `Path of the source file relative to the test file: ${relativeImport(task.output, task.file)}`,
      ];
      if (input.existingOutput !== undefined) lines.push(`${task.output} already exists; its current content is in the previous message.`);
      lines.push(answerLine(input));
      return lines.join("\n");
    }
    case "doc": {
      const lines = [`Document the public API of ${task.file}.`];
      if (input.existingOutput !== undefined) lines.push(`${task.output} already exists; its current content is in the previous message.`);
      lines.push(answerLine(input));
      return lines.join("\n");
    }
    case "repair":
      return `Problems to fix:\n${input.problems?.trim() || "(none listed)"}\n\n${input.format === "search-replace" ? `Answer with SEARCH/REPLACE blocks for ${task.output}.` : `Answer with the complete fixed content of ${task.output}.`}`;
  }
}

const answerLine = ({ task, format }: BuildMessagesInput) =>
  format === "search-replace" ? `Answer with SEARCH/REPLACE blocks for ${task.output}.` : `Answer with the complete content of ${task.output}.`;

/** "./a.js", "../src/a.js": how the test file reaches the source, before any extension rewriting. */
function relativeImport(fromFile: string, toFile: string): string {
  const relative = posix.relative(posix.dirname(fromFile), toFile);
  return relative.startsWith("../") ? relative : `./${relative}`;
}
