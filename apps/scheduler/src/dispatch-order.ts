/** Which way the experiment's monitored metric is better (its policy's mode; EM when it monitors nothing). */
export type OutcomeMode = 'max' | 'min';

/** The mode of an experiment's policy, as the meta-learner's features read it. */
export function outcomeModeOf(policy: Readonly<Record<string, unknown>>): OutcomeMode {
  return typeof policy.monitor === 'string' && policy.mode === 'min' ? 'min' : 'max';
}

/**
 * Runs in the order to dispatch them: the most promising first by predicted outcome (highest for
 * mode max, lowest for min), ties in trial order; runs without a prediction (no history yet)
 * follow in trial order. With no predictions at all, this is the spec's order.
 */
export function byPredictedOutcome<R extends { id: string; trial: number }>(
  runs: readonly R[],
  predicted: ReadonlyMap<string, number>,
  mode: OutcomeMode,
): R[] {
  const sign = mode === 'max' ? -1 : 1;
  const key = (r: R) => {
    const v = predicted.get(r.id);
    return v === undefined || !Number.isFinite(v) ? null : sign * v;
  };
  return [...runs].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === kb ? a.trial - b.trial : ka === null ? 1 : -1;
    return ka - kb || a.trial - b.trial;
  });
}
