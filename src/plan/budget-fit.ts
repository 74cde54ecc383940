// Pure: does the plan fit the run's budgets? Said before any money is spent, so a run that would stop
// half-way on maxSteps or maxCostUSD is no surprise.

export interface BudgetFitInput {
  tasks: number;
  estimatedUSD: number;
  maxSteps: number;
  maxCostUSD: number | null;
}

export function budgetFitWarnings(input: BudgetFitInput): string[] {
  const warnings: string[] = [];
  if (input.tasks > input.maxSteps) {
    warnings.push(
      `the plan has ${input.tasks} tasks but maxSteps is ${input.maxSteps}: a run would stop after ${input.maxSteps} requests; raise maxSteps in swarm.config.json or narrow include`,
    );
  }
  if (input.maxCostUSD !== null && input.estimatedUSD > input.maxCostUSD) {
    warnings.push(
      `the estimate ($${input.estimatedUSD.toFixed(2)}) is above maxCostUSD ($${input.maxCostUSD.toFixed(2)}): a run would stop before finishing`,
    );
  }
  return warnings;
}
