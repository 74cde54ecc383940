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
  /** A test or doc task whose output exists at HEAD: it updates that file, so it may answer with edits to it. */
  updatesExisting?: boolean;
}

/**
 * How a task's answer carries its file. A refactor rewrites the file it was shown; a test or doc task whose output
 * exists updates that file (`wholeTokens` is then the existing output's size), so both can answer with edits; a new
 * test or doc is written whole. Output tokens cost 4–5× input tokens and set decode time, so a large file is cheaper
 * as edits; a small one is cheaper whole (no SEARCH copies, no failed-match retries). hono's 8k-token cache test
 * was cut at max_tokens when its update was asked for whole.
 */
export function answerFormatFor(task: Pick<Task, "role" | "file" | "output">, input: FormatInput): AnswerFormat {
  const rewritesItsFile = task.role === "refactor" ? task.output === task.file : input.updatesExisting === true;
  if (!rewritesItsFile) return "whole";
  if (input.setting !== "auto") return input.setting;
  return input.wholeTokens > input.thresholdTokens || input.wholeTokens > input.maxOutputTokens ? "search-replace" : "whole";
}
