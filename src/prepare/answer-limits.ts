// What each task's answers are screened against: the text they replace or build on, and the run's caps.
import type { Task } from "../core/index.js";
import { answerByteCap, type AnswerLimits } from "../secrets/index.js";
import type { PreparedPlan } from "./types.js";

/**
 * The source an answer is compared with is the task's file, plus the output's HEAD content when the task
 * writes elsewhere (a test being updated): a token already in either is not new, so not a leak.
 */
export const answerLimits = (prepared: PreparedPlan) => (task: Task): AnswerLimits => {
  const { config } = prepared;
  const file = prepared.files.get(task.file)?.content;
  const existing = task.output === task.file ? undefined : (prepared.files.get(task.output)?.content ?? prepared.existingOutputs.get(task.output));
  const source = existing === undefined ? file : `${file ?? ""}\n${existing}`;
  return {
    source,
    maxAnswerBytes: answerByteCap(Buffer.byteLength(source ?? "", "utf8"), config.maxAnswerBytes ?? undefined),
    maxDeletionRatio: config.maxDeletionRatio,
    allowDeletions: config.allowDeletions,
  };
};
