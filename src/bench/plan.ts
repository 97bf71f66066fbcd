/** How many steps to time: enough to fill the time budget, within the plan's bounds. */
export function plannedSteps(estimateMs: number, plan: { steps?: number; budgetSeconds: number; minSteps: number; maxSteps: number }): number {
  if (plan.steps !== undefined) return plan.steps;
  const wanted = estimateMs > 0 ? Math.ceil((plan.budgetSeconds * 1000) / estimateMs) : plan.maxSteps;
  return Math.max(plan.minSteps, Math.min(plan.maxSteps, wanted));
}
