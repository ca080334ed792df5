import type { StopModel } from '../learn/stop-model';
import type { AutoOptions } from '../options';
import type { Mode, RunInfo, StoppingPolicy } from '../types';
import { anyOf } from './any-of';
import { createAshaPolicy, type RungScore } from './asha';
import { createMetaPolicy, DEFAULT_META_SETTINGS, expectedOutcome, type MetaPolicySettings } from './meta';
import { createThresholdPolicy } from './threshold';

export interface AutoSettings extends MetaPolicySettings {
  /** Successive-halving reduction factor used across the runs of an experiment. @defaultValue 3 */
  reductionFactor: number;
  /** Budget fraction of the first successive-halving rung. @defaultValue 1/27 */
  firstRungFraction: number;
}

export const DEFAULT_AUTO_SETTINGS: AutoSettings = {
  ...DEFAULT_META_SETTINGS,
  reductionFactor: 3,
  firstRungFraction: 1 / 27,
};

/**
 * The default policy: given only `tolerance`, stop as early as history says is safe.
 * - With a model learned from history: the meta policy (expected gain left below the threshold
 *   calibrated for the tolerance; in an experiment, runs that cannot catch the best one).
 * - Without history: the noise-aware threshold policy.
 * - Across the runs of an experiment (when peers are visible): successive halving as well, where
 *   runs compete at each rung on the outcome the model expects from their curve so far (not on
 *   their current value, which punishes slow starters), while the learned rules decide how long
 *   the survivors train.
 */
/**
 * One rung-score function per model and mode, so successive halving can share the scores of
 * peers between all the runs of an experiment (it memoises by function, peer and eval).
 */
const rungScores = new WeakMap<StopModel, Partial<Record<Mode, RungScore>>>();

function rungScore(model: StopModel, mode: Mode): RungScore {
  let byMode = rungScores.get(model);
  if (!byMode) {
    byMode = {};
    rungScores.set(model, byMode);
  }
  let score = byMode[mode];
  if (!score) {
    score = (evals, budgetTokens, features) =>
      expectedOutcome(model, evals, mode, budgetTokens, features, false);
    byMode[mode] = score;
  }
  return score;
}

export function createAutoPolicy(
  options: AutoOptions,
  run: RunInfo,
  model: StopModel | null,
  settings: AutoSettings = DEFAULT_AUTO_SETTINGS,
): StoppingPolicy {
  const common = {
    monitor: options.monitor,
    mode: options.mode,
    tolerance: options.tolerance,
    lr_drop_before_stop: false,
  };
  const single = model
    ? createMetaPolicy({ ...common, name: 'meta' }, run, model, settings)
    : createThresholdPolicy({ ...common, name: 'threshold', min_evals: 3 }, run);
  const score = model ? rungScore(model, options.mode) : undefined;
  const halving = createAshaPolicy(
    {
      ...common,
      name: 'asha',
      reduction_factor: settings.reductionFactor,
      min_resource_tokens: settings.firstRungFraction * run.budgetTokens,
    },
    run,
    score,
  );
  const withPeers = anyOf('auto', [single, halving]);
  return {
    name: 'auto',
    decide: (input) => (input.peers.length > 0 ? withPeers.decide(input) : single.decide(input)),
    snapshot: () => withPeers.snapshot(),
    restore: (state) => withPeers.restore(state),
  };
}
