import type { PredictedOutcome } from '@curfew/store';

/** Which way the experiment's monitored metric is better (its policy's mode; EM when it monitors nothing). */
export type OutcomeMode = 'max' | 'min';

/** The mode of an experiment's policy, as the meta-learner's features read it. */
export function outcomeModeOf(policy: Readonly<Record<string, unknown>>): OutcomeMode {
  return typeof policy.monitor === 'string' && policy.mode === 'min' ? 'min' : 'max';
}

/**
 * How promising each predicted run is, higher first: its predicted rank among its task's runs
 * when every prediction has one (the outcome model: what transfers between tasks), else its
 * predicted value, signed by the mode (highest first for max, lowest for min).
 */
export function promise(
  predicted: ReadonlyMap<string, PredictedOutcome>,
  mode: OutcomeMode,
): Map<string, number> {
  const all = [...predicted];
  const byRank = all.length > 0 && all.every(([, p]) => p.rank !== null && Number.isFinite(p.rank));
  const sign = mode === 'max' ? 1 : -1;
  return new Map(
    all.flatMap(([id, p]) => {
      const score = byRank ? p.rank : p.value === null ? null : sign * p.value;
      return score === null || !Number.isFinite(score) ? [] : [[id, score] as const];
    }),
  );
}

/**
 * Runs in the order to dispatch them: the most promising first (higher score), ties in trial
 * order; runs without a score (no history yet) follow in trial order. With no scores at all,
 * this is the spec's order.
 */
export function byPromise<R extends { id: string; trial: number }>(
  runs: readonly R[],
  score: ReadonlyMap<string, number>,
): R[] {
  return [...runs].sort((a, b) => {
    const ka = score.get(a.id);
    const kb = score.get(b.id);
    if (ka === undefined || kb === undefined)
      return ka === kb ? a.trial - b.trial : ka === undefined ? 1 : -1;
    return kb - ka || a.trial - b.trial;
  });
}
