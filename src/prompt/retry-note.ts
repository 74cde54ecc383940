import type { ErrorInfo } from "../core/index.js";
import type { ChatMessage, ChatRequest } from "../llm/index.js";
import type { ParseOptions } from "./parse-answer.js";

// What a retry after an unusable answer says. Sending the same prompt again gets the same mistake (and the
// same bill): the note names what was wrong and the fence to use. Appended as a last message, so the cached
// prefix stays byte-identical.

/** Answer failures that are the model's format, not the endpoint's: a note may fix them, and they are retried at most twice. */
export const FORMAT_FAILURES: ReadonlySet<string> = new Set(["no-code-block", "many-code-blocks"]);

/** Retries of one task after format failures; a model that misreads the format twice will not read it a third time. */
export const MAX_FORMAT_RETRIES = 2;

/** The fence the task's file was sent in (the last message's first fence line); three backticks when none. */
export function sourceFence(messages: readonly ChatMessage[]): string {
  const last = messages.at(-1)?.content ?? "";
  const match = /^(`{3,})/m.exec(last);
  return match ? match[1] : "```";
}

/** How to read the answer to these messages: a file that holds fence lines was sent with a longer fence. */
export function answerOptions(messages: readonly ChatMessage[]): ParseOptions {
  return { sourceHasFences: sourceFence(messages).length > 3 };
}

/** The note for a retry after `error`, or undefined when the error is not about the answer's format. */
export function retryNote(error: ErrorInfo, messages: readonly ChatMessage[]): string | undefined {
  if (!FORMAT_FAILURES.has(error.code)) return undefined;
  const fence = sourceFence(messages);
  const why = fence.length > 3 ? ` (${fence.length} backticks: the file has lines of ${fence.length - 1} backticks, which would close a shorter fence)` : "";
  return (
    `Your previous answer could not be used: ${error.message}. ` +
    `Reply with exactly one code block holding the whole file, opened and closed with ${fence}${why}, and nothing outside it.`
  );
}

/** The request with the retry note appended; the same request when there is no note. */
export function withRetryNote(request: ChatRequest, error: ErrorInfo | undefined): ChatRequest {
  const note = error ? retryNote(error, request.messages) : undefined;
  return note === undefined ? request : { ...request, messages: [...request.messages, { role: "user", content: note }] };
}
