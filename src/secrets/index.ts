// Secret detection (input scan and answer screen): the rule set, and the gate for model answers.
export { isConfigFile } from "./config-literal.js";
export { findSecret, lineOf } from "./detect.js";
export {
  answerByteCap,
  DEFAULT_MAX_DELETION_RATIO,
  screenAnswer,
  type AnswerLimits,
  type AnswerScreenInput,
} from "./answer-screen.js";
