// What the engine asks of a prepared run: each step's request and dollar reserve, the cost of what came
// back, and whether an answer changes its file.
import type { ChatMessage } from "../llm/index.js";
import type { Task, TaskId, TaskResult, Usage } from "../core/index.js";
import { countTokens, modelFor } from "../estimate/index.js";
import { messagesFor } from "../prompt/index.js";
import { normalizeText } from "../util/index.js";
import type { Prepared, PreparedPlan } from "./types.js";

/** A task's first-step messages as the run sends them (and the estimate tokenizes them). */
export function messagesOf(prepared: PreparedPlan, task: Task, results: ReadonlyMap<TaskId, TaskResult> = new Map()): ChatMessage[] {
  return messagesFor(task, { ...prepared, results, countTokens });
}

/**
 * The request a task's next step sends, and the dollars the budget holds for it while in flight: the
 * estimate's reserve (with headroom) where there is one. Test and doc tasks see their refactor's result.
 */
export function stepRequest(prepared: Prepared, task: Task, results: ReadonlyMap<TaskId, TaskResult>) {
  const route = modelFor(prepared.config, task.role, task.bytes);
  const messages = messagesOf(prepared, task, results);
  return {
    request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens, thinking: route.thinking },
    estimatedUSD: prepared.estimate.perTaskReserveUSD?.[task.id] ?? prepared.estimate.perTaskUSD?.[task.id] ?? 0,
  };
}

/** A repair step's request: the repair route, held against the task's own estimate. */
export function repairRequest(prepared: Prepared, task: Task, messages: ChatMessage[]) {
  const route = modelFor(prepared.config, "repair", task.bytes);
  return { request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens, thinking: route.thinking }, estimatedUSD: prepared.estimate.perTaskUSD?.[task.id] ?? 0 };
}

export const costOf = (prepared: Prepared) => (model: string, usage: Usage) => prepared.pricing.costUSD(model, usage);

/** An answer that differs from the output as HEAD has it, line endings and trailing newlines aside. */
export const isChange = (prepared: PreparedPlan) => (task: Task, content: string) => normalizeText(content) !== normalizeText(originalOf(task, prepared) ?? "");

function originalOf(task: Task, prepared: PreparedPlan): string | undefined {
  return prepared.files.get(task.output)?.content ?? prepared.existingOutputs.get(task.output);
}
