// The gate every model answer passes before it is journaled, written or shown to a later prompt. Pure.
//
// A model answer is untrusted input: an endpoint can echo the API key, invent an AWS key, send 50 MB for a
// 95-byte file, send NUL bytes, or replace a file with one line. A rejection carries a hash of the answer
// (to tell retries apart in the journal) and a reason that never contains the answer's text.

import { createHash } from "node:crypto";
import { findSecret } from "./detect.js";
import { shannonEntropy } from "./own-rules.js";

export type AnswerRole = "refactor" | "test" | "doc" | "repair";

export interface AnswerScreenInput {
  answer: string;
  /** The file the answer replaces or builds on (refactor/repair: the task's file; test/doc: its subject). */
  source: string | undefined;
  role: AnswerRole;
  /**
   * Whether a text contains the endpoint's API key (exact match). A predicate rather than the key: the
   * key stays inside the provider that sends it, out of every object that could be logged.
   */
  containsApiKey?: (text: string) => boolean;
  maxAnswerBytes: number;
  /** Share of the source's non-blank lines a refactor or repair answer may remove. */
  maxDeletionRatio: number;
  allowDeletions: boolean;
}

export type AnswerRejection = "secret" | "too-large" | "control-bytes" | "deletion";

export type AnswerVerdict =
  | { ok: true }
  | { ok: false; rejection: AnswerRejection; reason: string; /** sha256 of the answer, hex. */ hash: string };

const MIN_ANSWER_CAP_BYTES = 256 * 1024;
export const DEFAULT_MAX_DELETION_RATIO = 0.6;

/** The byte cap for one answer: the configured one, else max(4 × the source's size, 256 KB). */
export function answerByteCap(sourceBytes: number, configured?: number): number {
  return configured ?? Math.max(4 * sourceBytes, MIN_ANSWER_CAP_BYTES);
}

// Long base64/base62 runs only; hex digests (≤ 4 bits/char), UUIDs and identifiers stay below the floor.
const TOKEN = /[A-Za-z0-9+/_=-]{32,}/g;
const ENTROPY_FLOOR = 4.5;

/** A random-looking token on a line the source does not have, or null. */
function newHighEntropyToken(answer: string, source: string | undefined): number | null {
  const known = new Set((source ?? "").split(/\r?\n/).map((l) => l.trim()));
  let offset = 0;
  for (const line of answer.split("\n")) {
    const trimmed = line.replace(/\r$/, "").trim();
    if (!known.has(trimmed)) {
      TOKEN.lastIndex = 0;
      for (let m = TOKEN.exec(line); m !== null; m = TOKEN.exec(line)) {
        const t = m[0];
        if (/\d/.test(t) && /[A-Z]/.test(t) && /[a-z]/.test(t) && shannonEntropy(t) >= ENTROPY_FLOOR) return offset + m.index;
      }
    }
    offset += line.length + 1;
  }
  return null;
}

// C0 controls other than tab, LF and CR, plus DEL: none belongs in a source file.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function nonBlankLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== "");
}

/** What the screen checks an answer against besides the key: set per task by the run. */
export type AnswerLimits = Pick<AnswerScreenInput, "source" | "maxAnswerBytes" | "maxDeletionRatio" | "allowDeletions">;

export function screenAnswer(input: AnswerScreenInput): AnswerVerdict {
  const reject = (rejection: AnswerRejection, reason: string): AnswerVerdict => ({
    ok: false,
    rejection,
    reason,
    hash: createHash("sha256").update(input.answer).digest("hex"),
  });
  const bytes = Buffer.byteLength(input.answer, "utf8");
  if (bytes > input.maxAnswerBytes) return reject("too-large", `answer too large (${bytes} bytes; the cap is ${input.maxAnswerBytes})`);
  if (CONTROL.test(input.answer)) return reject("control-bytes", "answer contains NUL or control bytes");
  if (input.containsApiKey?.(input.answer)) return reject("secret", "answer contains a secret (api-key)");
  const hit = findSecret(input.answer);
  // A secret the source already holds is not new; but sources with secrets never reach a prompt anyway.
  if (hit) return reject("secret", `answer contains a secret (${hit.rule})`);
  if (newHighEntropyToken(input.answer, input.source) !== null) return reject("secret", "answer contains a secret (high-entropy)");
  // A repair answer replaces a whole file as much as a refactor does: "fix the type error" must not empty it.
  if ((input.role === "refactor" || input.role === "repair") && !input.allowDeletions && input.source !== undefined) {
    const before = nonBlankLines(input.source);
    if (before.length > 0) {
      const after = new Set(nonBlankLines(input.answer).map((l) => l.trim()));
      const removed = before.filter((l) => !after.has(l.trim())).length;
      const kept = nonBlankLines(input.answer).length;
      // Removed lines replaced by rewritten ones are edits, not deletions: count only the net loss.
      const lost = Math.max(0, Math.min(removed, before.length - kept));
      if (lost / before.length > input.maxDeletionRatio) {
        return reject("deletion", `answer deletes ${lost} of ${before.length} non-blank lines (more than ${Math.round(input.maxDeletionRatio * 100)}%; allow with allowDeletions)`);
      }
    }
  }
  return { ok: true };
}
