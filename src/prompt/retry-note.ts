import type { ErrorInfo } from "../core/index.js";
import type { ChatMessage, ChatRequest } from "../llm/index.js";
import { EDIT_MARKER } from "./edit-blocks.js";
import type { ParseOptions } from "./parse-answer.js";

// What a retry after an unusable answer says. Sending the same prompt again gets the same mistake (and the
// same bill): the note names what was wrong and the fence to use. Appended as a last message, so the cached
// prefix stays byte-identical.

/** Answer failures that are the model's format, not the endpoint's: a note may fix them, and they are retried at most twice. */
export const FORMAT_FAILURES: ReadonlySet<string> = new Set(["no-code-block", "many-code-blocks", "edit-failed"]);

/** Retries of one task after format failures; a model that misreads the format twice will not read it a third time. */
export const MAX_FORMAT_RETRIES = 2;

/** The fence the task's file was sent in (the last message's first fence line); three backticks when none. */
function sourceFence(messages: readonly ChatMessage[]): string {
  const last = messages.at(-1)?.content ?? "";
  const match = /^(`{3,})/m.exec(last);
  return match ? match[1] : "```";
}

/** How to read the answer to these messages: a file that holds fence lines was sent with a longer fence. */
export function answerOptions(messages: readonly ChatMessage[]): ParseOptions {
  return { sourceHasFences: sourceFence(messages).length > 3 };
}

/** The note for a retry after `error`, or undefined when the error is not about the answer's format. */
function retryNote(error: ErrorInfo, messages: readonly ChatMessage[]): string | undefined {
  if (!FORMAT_FAILURES.has(error.code)) return undefined;
  if (asksForEdits(messages)) {
    return (
      `Your previous answer could not be applied: ${error.message}\n\n` +
      "Reply again with SEARCH/REPLACE blocks only. Copy every SEARCH section exactly from the file as shown in the earlier message " +
      "(the edits of your previous answer were not applied), with enough lines to match one place."
    );
  }
  // Edits that failed twice are followed by a whole-file request, which needs no note about edits.
  if (error.code === "edit-failed") return undefined;
  const fence = sourceFence(messages);
  const why = fence.length > 3 ? ` (${fence.length} backticks: the file has lines of ${fence.length - 1} backticks, which would close a shorter fence)` : "";
  return (
    `Your previous answer could not be used: ${error.message}. ` +
    `Reply with exactly one code block holding the whole file, opened and closed with ${fence}${why}, and nothing outside it.`
  );
}

/** Whether these messages ask for SEARCH/REPLACE edits (the edit variant of the system prompt). */
export function asksForEdits(messages: readonly ChatMessage[]): boolean {
  return messages[0]?.role === "system" && messages[0].content.includes(`\n${EDIT_MARKER}\n`);
}

/** The request with the retry note appended; the same request when there is no note. */
export function withRetryNote(request: ChatRequest, error: ErrorInfo | undefined): ChatRequest {
  const note = error ? retryNote(error, request.messages) : undefined;
  return note === undefined ? request : { ...request, messages: [...request.messages, { role: "user", content: note }] };
}
