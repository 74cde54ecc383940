import type { ResolvedConfig } from "../config/index.js";
import type { AnswerFormat, SourceFile, Task, TaskId, TaskResult } from "../core/index.js";
import type { ImportGraph } from "../graph/index.js";
import type { ChatMessage } from "../llm/index.js";
import { testFrameworkFor } from "../plan/index.js";
import { buildMessages } from "./build-messages.js";
import { refactorContext } from "./prompt-context.js";

export interface MessageContext {
  config: Pick<ResolvedConfig, "conventions" | "context">;
  instruction: string;
  files: ReadonlyMap<string, SourceFile>;
  existingOutputs: ReadonlyMap<string, string>;
  results: ReadonlyMap<TaskId, TaskResult>;
  /** For the imports' signatures in refactor prompts; absent or null: no context. `files`: HEAD's text, for the test framework. */
  baseline?: { graph: ImportGraph; files?: ReadonlyMap<string, string> } | null;
  /** Passed in rather than imported: the tokenizer's door is estimate/, which reads prompts. */
  countTokens: (text: string) => number;
}

/**
 * The messages of a task's first step. Test and doc tasks see their refactor's result. `format`
 * "search-replace" asks a refactor for edits of its file, or a test or doc task for edits of the existing output
 * it updates, instead of the whole file.
 */
export function messagesFor(task: Task, ctx: MessageContext, format: AnswerFormat = "whole"): ChatMessage[] {
  const file = ctx.files.get(task.file)!;
  const refactor = task.role === "refactor" ? undefined : ctx.results.get(`refactor:${task.file}`);
  const content = refactor?.status === "succeeded" && refactor.content !== undefined ? refactor.content : file.content;
  const existing = ctx.existingOutputs.get(task.output);
  const context = refactorContext(task, ctx.baseline?.graph ?? null, ctx.results, { maxTokens: ctx.config.context.maxTokens, countTokens: ctx.countTokens });
  // The framework of the package the file belongs to, so the test runs where its runner looks for it.
  const framework = task.role === "test" && ctx.baseline?.files ? testFrameworkFor(ctx.baseline.files, task.file) : undefined;
  return buildMessages({
    task,
    instruction: ctx.instruction,
    conventions: ctx.config.conventions,
    source: { path: task.file, content },
    ...(existing !== undefined && task.output !== task.file ? { existingOutput: existing } : {}),
    ...(context !== undefined ? { context } : {}),
    ...(framework !== undefined ? { testFramework: framework } : {}),
    ...(format === "search-replace" && (task.role === "refactor" || existing !== undefined) ? { format } : {}),
  });
}
