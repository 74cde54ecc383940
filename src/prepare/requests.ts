// What the engine asks of a prepared run: each step's request and dollar reserve, the cost of what came
// back, and whether an answer changes its file.
import { handOffOf } from "../codemod/index.js";
import type { ChatMessage } from "../llm/index.js";
import type { AnswerFormat, Task, TaskId, TaskResult, Usage } from "../core/index.js";
import { countTokens, loadModelFormats, loadModelLimits, modelFor } from "../estimate/index.js";
import { answerFormatFor, MAX_FORMAT_RETRIES, messagesFor, type EditTarget } from "../prompt/index.js";
import { normalizeText } from "../util/index.js";
import type { Prepared, PreparedPlan } from "./types.js";

/** A task's first-step messages as the run sends them (and the estimate tokenizes them). */
export function messagesOf(prepared: PreparedPlan, task: Task, results: ReadonlyMap<TaskId, TaskResult> = new Map(), format = answerFormatOf(prepared, task)): ChatMessage[] {
  const handOff = handOffOf(prepared.codemod, task);
  if (!handOff) return messagesFor(task, { ...prepared, results, countTokens }, format);
  // A file the codemod handed off is worked on from what it left, with its reason just before the file.
  const file = prepared.files.get(task.file)!;
  const files = handOff.content === file.content ? prepared.files : new Map(prepared.files).set(task.file, { ...file, content: handOff.content });
  const messages = messagesFor(task, { ...prepared, files, results, countTokens }, format);
  return [...messages.slice(0, -1), { role: "user", content: handOff.note }, messages.at(-1)!];
}

/**
 * How a task's answer carries its file (config `editFormat`, see answerFormatFor), against the smaller of the
 * route's max_tokens and the model's max output. After MAX_FORMAT_RETRIES edit answers that did not apply, the
 * task asks for the whole file when that fits: some models write whole files reliably and edits poorly.
 */
export function answerFormatOf(prepared: PreparedPlan, task: Task, editFailures = 0): AnswerFormat {
  const { config } = prepared;
  // A test or doc task edits only an output that exists (it updates it); a new one is written whole.
  const existing = task.role === "refactor" ? undefined : prepared.existingOutputs.get(task.output);
  if (task.role !== "refactor" && existing === undefined) return "whole";
  // Over maxFileBytes a file is refactored only with edits (it was scanned up to maxEditFileBytes for that).
  if (task.bytes > config.maxFileBytes && task.output === task.file && config.editFormat !== "whole") return "search-replace";
  const route = modelFor(config, task.role, task.bytes);
  const maxOutputTokens = Math.min(route.maxOutputTokens, loadModelLimits(config.models)(route.model)?.maxOutputTokens ?? Infinity);
  // Under auto, a model's own preference (models table): "whole" moves the threshold to its max output (edits only
  // when the whole file cannot be written), "search-replace" always edits.
  const preferred = config.editFormat === "auto" ? loadModelFormats(config.models)(route.model) : undefined;
  const setting = preferred === "search-replace" ? preferred : config.editFormat;
  const thresholdTokens = preferred === "whole" ? maxOutputTokens : config.editThresholdTokens;
  // A token is at least one byte: a file no larger than both limits in bytes needs no tokenizing.
  const whole = existing ?? prepared.files.get(task.file)?.content ?? "";
  const fitsByBytes = Buffer.byteLength(whole) <= Math.min(thresholdTokens, maxOutputTokens);
  const wholeTokens = fitsByBytes ? Buffer.byteLength(whole) : countTokens(whole);
  const format = answerFormatFor(task, { setting, wholeTokens, thresholdTokens, maxOutputTokens, updatesExisting: existing !== undefined });
  return format === "search-replace" && editFailures >= MAX_FORMAT_RETRIES && wholeTokens <= maxOutputTokens ? "whole" : format;
}

/**
 * The request a task's next step sends, and the dollars the budget holds for it while in flight: the
 * estimate's reserve (with headroom) where there is one. Test and doc tasks see their refactor's result.
 */
export function stepRequest(prepared: Prepared, task: Task, results: ReadonlyMap<TaskId, TaskResult>, editFailures = 0) {
  const route = modelFor(prepared.config, task.role, task.bytes);
  const format = answerFormatOf(prepared, task, editFailures);
  const messages = messagesOf(prepared, task, results, format);
  // The file as the prompt shows it: what the edits are applied to (a test or doc task's existing output).
  const shown = task.role === "refactor" ? (handOffOf(prepared.codemod, task)?.content ?? prepared.files.get(task.file)?.content ?? "") : (prepared.existingOutputs.get(task.output) ?? "");
  const edit: EditTarget | undefined = format === "search-replace" ? { path: task.output, content: shown } : undefined;
  return {
    request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens, thinking: route.thinking },
    estimatedUSD: prepared.estimate.perTaskReserveUSD?.[task.id] ?? prepared.estimate.perTaskUSD?.[task.id] ?? 0,
    ...(edit ? { edit } : {}),
  };
}

/** A repair step's request: the repair route, held against the task's own estimate. */
export function repairRequest(prepared: Prepared, task: Task, messages: ChatMessage[]) {
  const route = modelFor(prepared.config, "repair", task.bytes);
  return { request: { model: route.model, messages, maxOutputTokens: route.maxOutputTokens, thinking: route.thinking }, estimatedUSD: prepared.estimate.perTaskUSD?.[task.id] ?? 0 };
}

/** A step that billed nothing costs nothing, whatever its model: a codemod's decided steps have no price. */
export const costOf = (prepared: Prepared) => (model: string, usage: Usage) =>
  usage.inputTokens + usage.outputTokens === 0 ? 0 : prepared.pricing.costUSD(model, usage);

/** An answer that differs from the output as HEAD has it, line endings and trailing newlines aside. */
export const isChange = (prepared: PreparedPlan) => (task: Task, content: string) => normalizeText(content) !== normalizeText(originalOf(task, prepared) ?? "");

function originalOf(task: Task, prepared: PreparedPlan): string | undefined {
  return prepared.files.get(task.output)?.content ?? prepared.existingOutputs.get(task.output);
}
