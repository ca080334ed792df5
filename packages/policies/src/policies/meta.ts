import { PolicyOptionsError } from '../errors';
import { predictGbm } from '../learn/gbm';
import { orient, runFeaturesOf, STATE_FEATURE_COUNT, writeStateFeatures } from '../learn/state-features';
import { type StopModel, thresholdFor } from '../learn/stop-model';
import { requireBudget } from '../option-checks';
import type { AutoOptions, MetaOptions } from '../options';
import { runningBest } from '../peer-evals';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type EvalPoint,
  type Mode,
  type PeerRun,
  type RunInfo,
  type StoppingPolicy,
} from '../types';
import { lossStillFalling } from './loss-still-falling';

/**
 * Stopping learned from history (a StopModel): stop when the gain the model still expects from
 * this curve's state falls below the threshold that, on history runs it had not seen, kept the
 * mean EM loss within the tolerance. With peers (experiment scope), also stop a run whose
 * optimistic outcome (best so far + a high quantile of its remaining gain) cannot beat what the
 * best peer has reached or is expected to reach (its best so far + the expected remaining gain)
 * by more than a share of the tolerance: the best-of-experiment result does not need it.
 */
export interface MetaPolicySettings {
  /** Share of the tolerance a hopeless run may still have been able to add. @defaultValue 0 */
  hopelessShare: number;
  /**
   * With peers, the leading run stops on the threshold calibrated for tolerance × leaderShare
   * (0: the leader is never stopped before its budget: the experiment's result rides on it).
   * @defaultValue 0
   */
  leaderShare: number;
  /**
   * Budget fraction before which no run is called hopeless: the first successive-halving rung
   * (1/27), so a run has been ranked once before its own prospects are judged. @defaultValue 1/27
   */
  hopelessFromProgress: number;
}

export const DEFAULT_META_SETTINGS: MetaPolicySettings = {
  hopelessShare: 0,
  leaderShare: 0,
  hopelessFromProgress: 1 / 27,
};

/**
 * The outcome a model expects of each peer, per model and mode (runs judged by different models,
 * e.g. of different task folds, must not see each other's predictions), recomputed only when the
 * peer has new evals.
 */
const peerExpected = new WeakMap<
  StopModel,
  Record<Mode, WeakMap<PeerRun, { seen: number; value: number }>>
>();

/** The best outcome the model expects of any running peer (oriented: larger is better). */
function bestPeerExpected(peers: readonly PeerRun[], model: StopModel, mode: Mode): number {
  let best = Number.NEGATIVE_INFINITY;
  const sign = mode === 'max' ? 1 : -1;
  let byMode = peerExpected.get(model);
  if (!byMode) {
    byMode = { max: new WeakMap(), min: new WeakMap() };
    peerExpected.set(model, byMode);
  }
  const cache = byMode[mode];
  for (const p of peers) {
    // A finished peer gains nothing more: its best so far (the incumbent) already counts it.
    if (p.evals.length === 0 || p.finished) continue;
    let c = cache.get(p);
    if (!c || c.seen !== p.evals.length) {
      c = {
        seen: p.evals.length,
        value: sign * expectedOutcome(model, p.evals, mode, p.budgetTokens, p.features),
      };
      cache.set(p, c);
    }
    if (c.value > best) best = c.value;
  }
  return best;
}

/** The best oriented value any peer has reached. */
function bestPeerValue(peers: readonly PeerRun[], sign: 1 | -1): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const p of peers) {
    const b = runningBest(p.evals, sign).at(-1);
    if (b !== undefined && b > best) best = b;
  }
  return best;
}

/** The outcome the model expects from a curve: best so far + a share of the gain still to come. */
function expectedOutcome(
  model: StopModel,
  evals: readonly EvalPoint[],
  mode: Mode,
  budgetTokens: number,
  features: Readonly<Record<string, unknown>> | undefined,
): number {
  const c = orient(evals, mode);
  const i = evals.length - 1;
  const x = new Float64Array(STATE_FEATURE_COUNT);
  writeStateFeatures(c.values, c.bestSoFar, c.tokens, budgetTokens, i, runFeaturesOf(features), x);
  const gainLeft = Math.max(0, predictGbm(model.mean, x));
  const best = (c.bestSoFar[i] as number) + gainLeft;
  return mode === 'max' ? best : -best;
}

export function createMetaPolicy(
  options: MetaOptions | AutoOptions,
  run: RunInfo,
  model: StopModel,
  settings: MetaPolicySettings = DEFAULT_META_SETTINGS,
): StoppingPolicy {
  if (!(options.tolerance >= 0)) {
    throw new PolicyOptionsError(`tolerance: expected a non-negative number, got ${options.tolerance}`);
  }
  requireBudget(run);
  const threshold = thresholdFor(model, options.tolerance);
  const leaderThreshold = thresholdFor(model, options.tolerance * settings.leaderShare);
  const sign = options.mode === 'max' ? 1 : -1;
  const features = new Float64Array(STATE_FEATURE_COUNT);
  const runFeatures = runFeaturesOf(run.features);
  return {
    name: options.name,
    decide({ evals, peers }: DecideInput): Decision {
      const c = orient(evals, options.mode);
      const i = evals.length - 1;
      writeStateFeatures(c.values, c.bestSoFar, c.tokens, run.budgetTokens, i, runFeatures, features);
      const expected = predictGbm(model.mean, features);
      const best = c.bestSoFar[i] as number;
      const progress = (evals[i]?.tokens ?? 0) / run.budgetTokens;
      const incumbent = peers.length > 0 ? bestPeerValue(peers, sign) : Number.NEGATIVE_INFINITY;
      // What the best peer will reach: at least its best so far, and what the model expects of it.
      const target =
        peers.length > 0 ? Math.max(incumbent, bestPeerExpected(peers, model, options.mode)) : incumbent;
      // Only a model validated on history it had not seen (it has a calibrated threshold) may call
      // a run hopeless: one fitted on too few tasks says little about this one.
      if (
        threshold !== null &&
        incumbent > Number.NEGATIVE_INFINITY &&
        progress >= settings.hopelessFromProgress
      ) {
        const optimistic = best + Math.max(0, predictGbm(model.upper, features));
        if (optimistic < target + settings.hopelessShare * options.tolerance) {
          return {
            kind: 'stop',
            reason: 'hopeless',
            detail: `can reach ${(sign * optimistic).toFixed(4)}, the best run is expected to reach ${(sign * target).toFixed(4)}`,
          };
        }
      }
      const leading = best >= incumbent;
      const limit = peers.length > 0 && leading ? leaderThreshold : threshold;
      const monitorsLoss = /loss/i.test(options.monitor);
      if (
        limit !== null &&
        expected < limit &&
        (monitorsLoss || !lossStillFalling(evals, run.budgetTokens))
      ) {
        return {
          kind: 'stop',
          reason: 'predicted-peak',
          detail: `expected gain left ${expected.toFixed(4)} < ${limit.toFixed(4)}`,
        };
      }
      return CONTINUE;
    },
    snapshot: () => ({}),
    restore: () => undefined,
  };
}
