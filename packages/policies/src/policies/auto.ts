import { firstRungKeepShare, progressKeepShares, type StopModel } from '../learn/stop-model';
import type { AutoOptions } from '../options';
import type { RunInfo, StoppingPolicy } from '../types';
import { anyOf } from './any-of';
import { createAshaPolicy } from './asha';
import { createMetaPolicy, DEFAULT_META_SETTINGS, type MetaPolicySettings } from './meta';
import { createOutrankedPolicy } from './outranked';
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
 * - Across the runs of an experiment (when peers are visible), also:
 *   - asynchronous successive halving, with two changes: at the first rung it promotes, instead of
 *     1/η, 2.5× the share of runs that history says keeps a run ending within the tolerance of the
 *     best (`firstRungKeepShare`, clamped to [1/η², 1/η]); and a run promoted while few peers had
 *     reached its last rung is ranked again as more reach it, so the runs that start first do not
 *     pass every rung for lack of competition;
 *   - `outranked`: from 2/27 of the budget on, a run whose best so far stands lower among the
 *     experiment's runs than 2.5× the share history's near-best runs needed at that point
 *     (`progressKeepShares`) is stopped.
 *   The learned rules decide how long the survivors train.
 */
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
  const eta = settings.reductionFactor;
  const learned = model ? firstRungKeepShare(model, options.tolerance, settings.firstRungFraction) : null;
  const halving = createAshaPolicy(
    {
      ...common,
      name: 'asha',
      reduction_factor: eta,
      min_resource_tokens: settings.firstRungFraction * run.budgetTokens,
    },
    run,
    {
      keepShares: learned === null ? undefined : [Math.min(Math.max(learned, eta ** -2), 1 / eta)],
      rerank: true,
    },
  );
  // Always a part (with no shares it never stops), so a snapshot fits whatever history says later.
  const outranked = createOutrankedPolicy(run, {
    mode: options.mode,
    fromFraction: settings.firstRungFraction,
    ...((model ? progressKeepShares(model, options.tolerance) : null) ?? { fractions: [], shares: [] }),
  });
  const withPeers = anyOf('auto', [single, halving, outranked]);
  return {
    name: 'auto',
    decide: (input) => (input.peers.length > 0 ? withPeers.decide(input) : single.decide(input)),
    snapshot: () => withPeers.snapshot(),
    restore(state) {
      // A state saved before auto had its third part (outranked, which keeps no state) has two.
      const parts = state.parts;
      withPeers.restore(
        Array.isArray(parts) && parts.length === 2 ? { ...state, parts: [...parts, {}] } : state,
      );
    },
  };
}
