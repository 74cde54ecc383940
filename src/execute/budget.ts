export interface BudgetLimits {
  maxSteps: number;
  maxCostUSD: number | null;
}

export interface BudgetState {
  stepsStarted: number;
  /** What the endpoint billed for finished steps. */
  spentUSD: number;
  /** Estimated cost of the steps in flight. */
  inFlightUSD: number;
}

export type BudgetVerdict = { ok: true } | { ok: false; budget: "steps" | "cost"; used: number; limit: number };

/** May one more step start? Decided before the request is sent, counting what is in flight. */
export function mayStartStep(state: BudgetState, limits: BudgetLimits, nextStepUSD: number): BudgetVerdict {
  if (state.stepsStarted + 1 > limits.maxSteps) {
    return { ok: false, budget: "steps", used: state.stepsStarted, limit: limits.maxSteps };
  }
  if (limits.maxCostUSD !== null && state.spentUSD + state.inFlightUSD + nextStepUSD > limits.maxCostUSD) {
    return { ok: false, budget: "cost", used: state.spentUSD + state.inFlightUSD, limit: limits.maxCostUSD };
  }
  return { ok: true };
}

/** A warning is due once, when 80% of a budget is used. */
export function budgetWarning(state: BudgetState, limits: BudgetLimits): { budget: "steps" | "cost"; used: number; limit: number }[] {
  const out: { budget: "steps" | "cost"; used: number; limit: number }[] = [];
  if (state.stepsStarted >= 0.8 * limits.maxSteps) out.push({ budget: "steps", used: state.stepsStarted, limit: limits.maxSteps });
  if (limits.maxCostUSD !== null && state.spentUSD >= 0.8 * limits.maxCostUSD) {
    out.push({ budget: "cost", used: state.spentUSD, limit: limits.maxCostUSD });
  }
  return out;
}

/**
 * The smallest cost budget that lets one task start, when `maxCostUSD` is below it; null when the
 * budget pays for at least one task (or there is none). Checked before any request: a run that could
 * start nothing would only print "budget exhausted" after opening its branch.
 */
export function budgetTooSmall(maxCostUSD: number | null, taskReservesUSD: readonly number[]): number | null {
  if (maxCostUSD === null || taskReservesUSD.length === 0) return null;
  const cheapest = taskReservesUSD.reduce((min, usd) => Math.min(min, usd), Infinity); // no spread: 100k+ tasks would overflow the call stack
  if (cheapest <= maxCostUSD) return null;
  // Rounded up to the cent shown, so the suggested figure always passes.
  return Math.ceil(cheapest * 100) / 100;
}
