// Secret detection (input scan and answer screen): the rule set, and the gate for model answers.
export { isConfigFile } from "./config-literal.js";
export { findSecret, lineOf } from "./detect.js";
export {
  answerByteCap,
  DEFAULT_MAX_DELETION_RATIO,
  MIN_ANSWER_CAP_BYTES,
  newHighEntropyToken,
  screenAnswer,
  type AnswerLimits,
  type AnswerRejection,
  type AnswerRole,
  type AnswerScreenInput,
  type AnswerVerdict,
} from "./answer-screen.js";
