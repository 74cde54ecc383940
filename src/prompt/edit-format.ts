import type { AnswerFormat, Task } from "../core/index.js";

/** Config `editFormat`: a fixed answer format, or "auto" (chosen per task by size). */
export type EditFormatSetting = AnswerFormat | "auto";

export interface FormatInput {
  setting: EditFormatSetting;
  /** Tokens of the file as a whole-file answer would write it. */
  wholeTokens: number;
  /** auto: a whole-file answer above this many tokens is answered with edits instead. */
  thresholdTokens: number;
  /** max_tokens of the task's request: a whole-file answer that cannot fit is answered with edits. */
  maxOutputTokens: number;
}

/**
 * How a task's answer carries its file. Only a refactor rewrites the file it was shown, so only a refactor can
 * answer with edits; tests and docs are new files (or updates read against another file) and stay whole.
 * Output tokens cost 4–5× input tokens and set decode time, so a large file is cheaper as edits; a small one is
 * cheaper whole (no SEARCH copies, no failed-match retries).
 */
export function answerFormatFor(task: Pick<Task, "role" | "file" | "output">, input: FormatInput): AnswerFormat {
  if (task.role !== "refactor" || task.output !== task.file) return "whole";
  if (input.setting !== "auto") return input.setting;
  return input.wholeTokens > input.thresholdTokens || input.wholeTokens > input.maxOutputTokens ? "search-replace" : "whole";
}
