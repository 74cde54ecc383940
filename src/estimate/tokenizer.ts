import { createRequire } from "node:module";

// o200k_base (GPT-4o/4.1 family) stands in for every model. Kimi and DeepSeek use their own
// vocabularies, so their counts differ by an amount we have not measured; calibration (actual vs
// estimated per model and role, from earlier runs) absorbs the difference.

interface Encoder {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

// Source files can contain "<|endoftext|>" and friends; they are plain text to us, never control tokens.
// The default ("disallow all") throws on them.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let encoder: Encoder | undefined;

/**
 * Loading the BPE ranks costs ~350 ms (measured on Node 20), so it happens on the first count, not at
 * import: commands that never count (report, validate, --help) do not pay for it. `require` of the CJS
 * build keeps counting synchronous, which the pure estimator needs.
 */
function loadEncoder(): Encoder {
  encoder ??= createRequire(import.meta.url)("gpt-tokenizer/cjs/encoding/o200k_base") as Encoder;
  return encoder;
}

// Byte-pair merging is quadratic in the length of one pre-tokenized piece, and a run without spaces is one
// piece: a 300 KB string literal or minified line took 37 s to count. Such runs are counted in slices of
// LONG_RUN characters (no o200k token is that long), which moves the count by at most one token per slice.
const LONG_RUN = 256;
// The lookbehind lets a match start only where a run starts: without it the regex retried the rest of the run
// at every character, and finding no long run took a quarter of an estimate's tokenizing (3,500 files).
const LONG_RUNS = new RegExp(`(?<!\\S)\\S{${LONG_RUN + 1},}`, "g");

/**
 * Whether `text` may hold a run LONG_RUNS matches: a loop over the code units costs a fraction of the regex on
 * text with none. Only ASCII whitespace ends a run here, so no run the regex would match is missed.
 */
function mayHaveLongRun(text: string): boolean {
  if (text.length <= LONG_RUN) return false;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // space, \t \n \v \f \r
    if (c === 32 || (c >= 9 && c <= 13)) run = 0;
    else if (++run > LONG_RUN) return true;
  }
  return false;
}

export function countTokens(text: string): number {
  if (text === "") return 0;
  const encoder = loadEncoder();
  if (!mayHaveLongRun(text)) return encoder.countTokens(text, PLAIN_TEXT);
  let total = 0;
  let from = 0;
  for (const match of text.matchAll(LONG_RUNS)) {
    total += encoder.countTokens(text.slice(from, match.index), PLAIN_TEXT);
    for (let i = 0; i < match[0].length; i += LONG_RUN) total += encoder.countTokens(match[0].slice(i, i + LONG_RUN), PLAIN_TEXT);
    from = match.index + match[0].length;
  }
  return total + (from < text.length ? encoder.countTokens(text.slice(from), PLAIN_TEXT) : 0);
}

/** Per-message framing overhead of the chat format (OpenAI's published rule of thumb). */
export const TOKENS_PER_MESSAGE = 4;
/** Every reply is primed with a few tokens (`<|start|>assistant<|message|>`). */
const TOKENS_PER_REPLY = 3;

/** Input tokens of a chat request: contents + 4 per message + 3 for the reply priming. */
export function countMessageTokens(messages: readonly { content: string }[]): number {
  let total = TOKENS_PER_REPLY;
  for (const message of messages) total += countTokens(message.content) + TOKENS_PER_MESSAGE;
  return total;
}
