import type { StepErrorCode, Usage } from "../core/index.js";

// What a run pays beyond one first attempt per task: retries, validation's repair steps, and the
// validation and commit time after the last request. Stated defaults until calibration measures the
// repository's own rates (calibration.ts).

/** Step kinds calibration keeps apart: the roles, repair, and refactors answered as SEARCH/REPLACE edits. */
export type CalibrationKind = "refactor" | "test" | "doc" | "repair" | "edit";

/** Why a paid attempt did not decide its task: each class has its own rate. */
export type RetryClass = "transient" | "format" | "edit";
export const RETRY_CLASSES: readonly RetryClass[] = ["transient", "format", "edit"];

const CLASS_OF: Partial<Record<StepErrorCode, RetryClass>> = {
  "rate-limited": "transient",
  "server-error": "transient",
  timeout: "transient",
  connection: "transient",
  "no-code-block": "format",
  "many-code-blocks": "format",
  truncated: "format",
  "unsafe-answer": "format",
  "edit-failed": "edit",
};

/** The class of a failed step's error, or null for failures that are not retried (auth, bad request…). */
export function retryClassOf(code: StepErrorCode | undefined): RetryClass | null {
  return code === undefined ? null : (CLASS_OF[code] ?? null);
}

/**
 * Extra paid attempts per first attempt, by class, when the repository has no calibration. A 429 is
 * usually refused before billing, so transient retries cost little input; malformed or truncated
 * answers are billed in full. Figures from the issue-16 measurements on four repositories, rounded down.
 */
export const DEFAULT_RETRY_RATES: Readonly<Record<RetryClass, number>> = Object.freeze({ transient: 0.02, format: 0.01, edit: 0.1 });

/**
 * Repair steps per task when validation is on and the repository has no calibration: generated tests
 * fail the project's type check most often, refactors rarely, docs are never type-checked.
 */
export const DEFAULT_REPAIR_RATES: Readonly<Record<"refactor" | "test" | "doc", number>> = Object.freeze({ refactor: 0.05, test: 0.1, doc: 0 });

/**
 * One repair step's usage for a task: the task's prompt plus its answer and the problems go in, a
 * whole file comes back (the size of the task's answer).
 */
export function repairStepUsage(first: Usage): Usage {
  return { inputTokens: first.inputTokens + first.outputTokens + REPAIR_PROBLEM_TOKENS, cachedInputTokens: 0, outputTokens: Math.ceil(first.outputTokens * 1.05) };
}
const REPAIR_PROBLEM_TOKENS = 300;

/** Usage scaled component by component; cached input never exceeds input. */
export function scaleUsage(u: Usage, by: { input: number; cachedInput?: number; output: number }): Usage {
  const inputTokens = Math.round(u.inputTokens * by.input);
  return {
    inputTokens,
    cachedInputTokens: Math.min(inputTokens, Math.round(u.cachedInputTokens * (by.cachedInput ?? by.input))),
    outputTokens: Math.round(u.outputTokens * by.output),
  };
}

/**
 * Time after the last request: the validation gates (type check and tests of the changed files, then a
 * re-check after each repair round) and one commit per role. Stated defaults, measured on the issue-16
 * runs (3.5–4 s of validation and commit on 9–17 s runs).
 */
const POST_RUN_MS = Object.freeze({ validateFixed: 2500, validatePerFile: 15, commitPerRole: 300, report: 200 });

export function postRunMs(input: { validate: boolean; changedFiles: number; roles: number; repairRounds: number }): { validation: number; commit: number } {
  const check = POST_RUN_MS.validateFixed + POST_RUN_MS.validatePerFile * input.changedFiles;
  return {
    validation: input.validate ? Math.round(check * (1 + input.repairRounds)) : 0,
    commit: input.roles * POST_RUN_MS.commitPerRole + POST_RUN_MS.report,
  };
}
