import { createPolicy, usesHistory } from '../create-policy';
import { type StopModel, StopModelTrainer } from '../learn/stop-model';
import type { PolicyOptions } from '../options';
import type { Curve } from './curve';
import { type ReplayScope, type RunOutcome, replay } from './replay';
import { type Score, scoreStops } from './score';

/**
 * Models learned from `history` for the tasks being judged: a task history also holds is judged
 * by a model that never saw it (nor the other tasks of its fold), so replaying a set of curves
 * with itself as history is a leave-tasks-out evaluation; any other task gets the model of all
 * of history. Models are fitted lazily and shared between tasks of the same fold. A task gets no
 * model (null) when what is left of history could not be validated on tasks it had not seen
 * (fewer than two folds of other tasks): a learning policy then falls back or says so.
 */
export function historyModels(history: readonly Curve[]): (task: string) => StopModel | null {
  if (history.length === 0) return () => null;
  const trainer = new StopModelTrainer(history);
  const byFold = new Map<number | 'all', StopModel | null>();
  return (task) => {
    const fold = trainer.foldOf(task) ?? 'all';
    if (!byFold.has(fold)) {
      const model = trainer.fit(fold === 'all' ? new Set() : new Set([fold]));
      byFold.set(fold, model.calibration.length > 0 ? model : null);
    }
    return byFold.get(fold) ?? null;
  };
}

export interface ReplayPolicyInput {
  curves: readonly Curve[];
  /** Past runs of other tasks that learning policies (meta, auto) learn from. */
  modelFor: (task: string) => StopModel | null;
  options: PolicyOptions;
  scope: ReplayScope;
  workers: number;
  tolerance: number;
}

export interface ReplayPolicyResult {
  outcomes: RunOutcome[];
  score: Score;
}

/** Replays one policy (the curve's own metric and mode override the options') and scores it. */
export function replayPolicy(input: ReplayPolicyInput): ReplayPolicyResult {
  const learns = usesHistory(input.options.name);
  const outcomes = replay(
    input.curves,
    (curve) => {
      const options = input.options.name === 'none' ? input.options : { ...input.options, mode: curve.mode };
      return createPolicy(options, {
        run: {
          id: curve.id,
          budgetTokens: curve.budgetTokens,
          mode: curve.mode,
          metric: curve.metric,
          features: curve.features,
        },
        model: learns ? input.modelFor(curve.task) : null,
      });
    },
    { scope: input.scope, workers: input.workers },
  );
  const stops = new Map(outcomes.map((o) => [o.id, o.stopIndex]));
  return { outcomes, score: scoreStops(input.curves, stops, input.tolerance) };
}
