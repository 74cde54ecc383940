// Secret detection (input scan and answer screen): the rule set, and the gate for model answers.
export { findSecret, lineOf, type SecretHit } from "./detect.js";
export {
  answerByteCap,
  DEFAULT_MAX_DELETION_RATIO,
  MIN_ANSWER_CAP_BYTES,
  newHighEntropyToken,
  screenAnswer,
  type AnswerRejection,
  type AnswerRole,
  type AnswerScreenInput,
  type AnswerVerdict,
} from "./answer-screen.js";
