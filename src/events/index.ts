export { EventBus } from "./bus.js";
export type { Subscriber } from "./bus.js";
export type { EstimateBrief, Problem, RunPhase, RunSummary, SummaryDistribution, SummaryMetrics, SwarmEvent, SwarmEventOf, TaskCounts } from "./types.js";
