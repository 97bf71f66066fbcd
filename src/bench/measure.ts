import { startEngine } from '../engine/engines';
import { inOrder, syntheticSetup } from '../engine/syntheticSetup';
import { plannedSteps } from './plan';
import type { BenchBackend, Measurement, MeasurePlan } from './protocol';

/**
 * Times the studio's training step (forward, backward, Adam) on the named engine: starting it and
 * its first step together, then one steady-state step that has its dispatches counted and sizes the
 * timed run (or, when it alone filled the time budget, is the measurement), then the run, which the
 * engine trains as it trains an epoch's steps and syncs once at its end.
 */
export async function measureTraining(started: BenchBackend, plan: MeasurePlan, dispatchCount: () => number | null): Promise<Measurement> {
  const order = inOrder(plan.batch);
  const firstStarted = performance.now();
  const { engine } = await startEngine(plan.engine, syntheticSetup(plan.batch, plan.seed));
  const train = (count: number): Promise<number> => engine.train(order, Array.from({ length: count }, () => ({ start: 0, size: plan.batch })));
  try {
    await train(1);
    const firstStepMs = performance.now() - firstStarted;
    const before = dispatchCount();
    const estimateStarted = performance.now();
    await train(1);
    const estimateMs = performance.now() - estimateStarted;
    const after = dispatchCount();
    const planned = plannedSteps(estimateMs, plan);
    const timedStarted = performance.now();
    if (planned > 0) await train(planned);
    const ms = planned === 0 ? estimateMs : performance.now() - timedStarted;
    const steps = Math.max(planned, 1);
    const parts = plan.profile && engine.profile ? await engine.profile(order, { start: 0, size: plan.batch }) : undefined;
    return {
      ...started,
      engine: engine.name,
      batch: plan.batch,
      steps,
      samplesPerSecond: (steps * plan.batch * 1000) / ms,
      msPerStep: ms / steps,
      firstStepMs,
      dispatchesPerStep: before === null || after === null ? null : after - before,
      ...(parts ? { kernels: parts } : {}),
    };
  } finally {
    engine.dispose();
  }
}
