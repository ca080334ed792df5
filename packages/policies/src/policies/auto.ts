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
 * Rung scores memoised per model: a run's evals up to a rung never change, and every run of an
 * experiment scores the same peers, so each (run, eval) is predicted once.
 */
const rungScores = new WeakMap<StopModel, Map<string, number>>();

/** A cheap identity for a run's features object (serialised once, not at every lookup). */
const featureKeys = new WeakMap<object, string>();
function featuresId(features: Readonly<Record<string, unknown>> | undefined): string {
  if (!features) return '';
  let key = featureKeys.get(features);
  if (key === undefined) {
    key = JSON.stringify(features);
    featureKeys.set(features, key);
  }
  return key;
}

function rungScore(model: StopModel, mode: Mode): RungScore {
  let cache = rungScores.get(model);
  if (!cache) {
    cache = new Map();
    rungScores.set(model, cache);
  }
  const memo = cache;
  return (evals, budgetTokens, features) => {
    const last = evals[evals.length - 1];
    const key = `${mode}|${budgetTokens}|${evals.length}|${last?.tokens}|${last?.value}|${featuresId(features)}`;
    let v = memo.get(key);
    if (v === undefined) {
      v = expectedOutcome(model, evals, mode, budgetTokens, features, false);
      memo.set(key, v);
    }
    return v;
  };
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
