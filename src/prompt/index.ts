export { buildMessages } from "./build-messages.js";
export type { ChatMessage } from "./build-messages.js";
export { messagesFor } from "./messages-for.js";
export { parseAnswer } from "./parse-answer.js";
export type { ParseOptions } from "./parse-answer.js";
export { answerOptions, FORMAT_FAILURES, MAX_FORMAT_RETRIES, retryNote, withRetryNote } from "./retry-note.js";
export { importMap, signatureBlock } from "./prompt-context.js";
export { exportedSignatures, importersOf } from "./signatures.js";
export type { ImporterUse } from "./signatures.js";
