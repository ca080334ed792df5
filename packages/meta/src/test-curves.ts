import type { Curve } from '@curfew/policies';
import type { FitRun } from './fit.js';
import { curvesFeatures } from './history.js';

/**
 * Synthetic history for tests: in every task, runs with a high learning rate peak early (at 20%
 * of the budget) and the others at the end, whatever the task's own lr range (1000× larger from one task to the next: ranges do not overlap).
 */
export function syntheticCurves(tasks: readonly string[], runsPerTask = 12, lrScale = 1): Curve[] {
  return tasks.flatMap((task, t) =>
    Array.from({ length: runsPerTask }, (_, i) => {
      const lr = lrScale * 10 ** (-4 + (3 * i) / (runsPerTask - 1) + 3 * t);
      const peakAt = i >= runsPerTask / 2 ? 2 : 10;
      const budgetTokens = 10_000;
      const evals = Array.from({ length: 10 }, (_, k) => {
        const step = k + 1;
        const value = step <= peakAt ? 0.5 * (step / peakAt) : 0.5 - 0.02 * (step - peakAt);
        return { step, tokens: step * 1000, value };
      });
      return {
        id: `${task}/${i}`,
        task,
        group: task,
        metric: 'em',
        mode: 'max' as const,
        budgetTokens,
        features: { family: 'kv-qa', lr, batch_size: 32 * (1 + (i % 2)) },
        evals,
        source: `${task}:${i + 1}`,
      };
    }),
  );
}

/** Curves as the fit takes them (peak, values, mode, budget and evals), with features ranked in their groups. */
export function fitRunsOf(curves: readonly Curve[], features = curvesFeatures(curves)): FitRun[] {
  return curves.map((c, i) => {
    let best = 0;
    c.evals.forEach((e, k) => {
      const b = c.evals[best]?.value ?? e.value;
      if (c.mode === 'min' ? e.value < b : e.value > b) best = k;
    });
    return {
      runId: c.id,
      task: c.task,
      peakFraction: Math.min(1, (c.evals[best]?.tokens ?? 0) / c.budgetTokens),
      peakValue: c.evals[best]?.value ?? 0,
      finalValue: c.evals.at(-1)?.value ?? 0,
      features: features[i] ?? {},
      mode: c.mode,
      budgetTokens: c.budgetTokens,
      evals: c.evals,
    };
  });
}
