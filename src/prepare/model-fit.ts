import type { TaskId } from "../core/index.js";
import { countMessageTokens, countTokens, expectedOutputTokens, fitOf, loadModelLimits, modelFor } from "../estimate/index.js";
import { answerFormatOf, messagesOf } from "./requests.js";
import type { PreparedPlan } from "./types.js";

/**
 * Tokens the prompt takes besides the file, at most, for the cheap check: system prompt, instruction,
 * conventions and the imported signatures (`context.maxTokens`) are counted only when a file comes
 * near a limit.
 */
const PROMPT_OVERHEAD_BOUND = 20_000;

/**
 * Tasks left out before any request because their model cannot take them: the expected answer is
 * longer than the model's max output, or prompt + answer exceed its context window. Each with its
 * reason. Models without known limits (not in models.json nor config `models`) are not checked. A
 * refactor too large for a whole-file answer is answered with edits under editFormat "auto" (see
 * answerFormatOf), and is left out only when it is "whole" or its prompt cannot fit.
 *
 * A token is at least one byte, so a file's byte count bounds its tokens: most files fit by that
 * bound alone (source and an existing output counted as twice the source), and only the rest are
 * tokenized, with the prompt the run would send.
 */
export function tasksThatCannotFit(prepared: PreparedPlan): Map<TaskId, string> {
  const { config, plan, files } = prepared;
  const limitsOf = loadModelLimits(config.models);
  const reasons = new Map<TaskId, string>();
  const sourceTokens = new Map<string, number>();
  for (const task of plan.tasks) {
    const { model } = modelFor(config, task.role, task.bytes);
    const limits = limitsOf(model);
    if (!limits) continue;
    const bound = expectedOutputTokens(task.role, task.bytes);
    if (bound <= limits.maxOutputTokens && 2 * task.bytes + bound + PROMPT_OVERHEAD_BOUND + config.context.maxTokens <= limits.contextWindow) continue;
    const content = files.get(task.file)?.content ?? "";
    let tokens = sourceTokens.get(task.file);
    if (tokens === undefined) {
      tokens = countTokens(content);
      sourceTokens.set(task.file, tokens);
    }
    // A refactor answered with SEARCH/REPLACE edits (config editFormat) writes only what changes, which is
    // not known up front: only its prompt is checked.
    const isEdits = answerFormatOf(prepared, task) === "search-replace";
    const answerTokens = isEdits ? 0 : expectedOutputTokens(task.role, tokens);
    const fit = fitOf(model, limits, { promptTokens: countMessageTokens(messagesOf(prepared, task)), answerTokens });
    if (!fit.fits) reasons.set(task.id, fit.reason);
  }
  return reasons;
}

