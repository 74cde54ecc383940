export type { PrepareOptions, PreparedPlan, Prepared } from "./types.js";
export { preparePlan } from "./prepare-plan.js";
export { prepareRun } from "./prepare-run.js";
export { answerLimits } from "./answer-limits.js";
export { costOf, isChange, messagesOf, repairRequest, stepRequest } from "./requests.js";
export { estimateShards } from "./shard-part.js";
