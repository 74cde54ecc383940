import { describe, expect, it } from "vitest";
import { budgetFitWarnings } from "../../../src/plan/budget-fit.js";

describe("budgetFitWarnings", () => {
  it("is silent when the plan fits", () => {
    expect(budgetFitWarnings({ tasks: 900, estimatedUSD: 3, maxSteps: 4000, maxCostUSD: null })).toEqual([]);
    expect(budgetFitWarnings({ tasks: 4000, estimatedUSD: 3, maxSteps: 4000, maxCostUSD: 3 })).toEqual([]);
  });
  it("names both budgets a plan would run out of", () => {
    const warnings = budgetFitWarnings({ tasks: 4566, estimatedUSD: 12.09, maxSteps: 4000, maxCostUSD: 5 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^the plan has 4566 tasks but maxSteps is 4000/);
    expect(warnings[1]).toBe("the estimate ($12.09) is above maxCostUSD ($5.00): a run would stop before finishing");
  });
});
