import type { Curve } from '@curfew/policies';

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
