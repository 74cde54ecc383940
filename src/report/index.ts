export { buildReport, errorPct, summaryFromReport } from "./build-report.js";
export { renderEstimate, renderSampleEstimate } from "./render-estimate.js";
export { describeCompletion, describeEditAnswers, describeOutliers, describeSpreadByRole, describeStoppedBy, hiddenOutliers, renderStepSummaryFacts, renderTerminalReport } from "./render-markdown.js";
export type { StepSummaryFacts } from "./render-markdown.js";
export { renderPlan } from "./render-plan.js";
export type { Report, ReportCommit, ReportShard } from "./types.js";
export { writeReport } from "./write-report.js";
export { describePhase, reviewHandOff } from "./review.js";
