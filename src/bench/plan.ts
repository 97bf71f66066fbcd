/**
 * How many more steps to time after one synced steady-state step took `estimateMs`: enough to fill
 * the time budget, within the plan's bounds; 0 when that one step already filled the budget, so
 * that slow backends (SwiftShader takes seconds a step) are measured by it alone.
 */
export function plannedSteps(estimateMs: number, plan: { steps?: number; budgetSeconds: number; minSteps: number; maxSteps: number }): number {
  if (plan.steps !== undefined) return plan.steps;
  if (estimateMs >= plan.budgetSeconds * 1000) return 0;
  const wanted = estimateMs > 0 ? Math.ceil((plan.budgetSeconds * 1000) / estimateMs) : plan.maxSteps;
  return Math.max(plan.minSteps, Math.min(plan.maxSteps, wanted));
}
