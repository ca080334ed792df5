import { CurveFitter, type CurveForecast } from '../curve-fit/curve-fitter';
import { probabilityAbove } from '../curve-fit/normal';
import { checkMode, checkNumber, stateObject } from '../option-checks';
import type { ExtrapolateOptions } from '../options';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type EvalPoint,
  type Mode,
  type PolicyState,
  type RunInfo,
  type StoppingPolicy,
} from '../types';

/** Fewest usable evals a curve is extrapolated from (every 3-parameter model keeps 1 dof). */
export const MIN_FIT_EVALS = 4;

/** The numbers behind one extrapolation decision (also in the stop's `detail`). */
export interface ExtrapolationView {
  /** Best value the run is predicted to reach by its budget, in the metric's own units. */
  predicted: number;
  predictedSd: number;
  /** The run's best eval so far. */
  best: number;
  /** P(the gain by the budget over the best so far exceeds `tolerance`). */
  pGain: number;
  /** P(the run ends better than the best peer so far); null without a finished peer. */
  pBeatPeers: number | null;
}

/**
 * Learning-curve extrapolation. After `min_evals` evals (and at least MIN_FIT_EVALS usable
 * ones), fits the run's curve with x = tokens / budgetTokens (see curve-fit/) and stops, reason
 * `extrapolation`, when
 * - P(gain by the budget over the best so far > tolerance) < probability, where the gain is the
 *   fitted curve's rise from its best so far (capped by the run's actual best, so a lucky noisy
 *   eval does not make the run look finished) with the fit's uncertainty (parameters + model
 *   disagreement): noisier curves need more evals to be sure; or
 * - at least one peer has finished and P(the run's final value > the best peer's best so far)
 *   < probability, the final value's uncertainty including one eval's residual noise.
 * Mode `min` is handled by negating values. Predictions are clamped to a plausible range: [0, 1]
 * when every value seen is in [0, 1], non-negative when every value is, and never more than
 * three spans of the values seen beyond them. Never stops at or past the budget (that is
 * `budget`). The decision is a function of the evals only; the fitter is a cache rebuilt from
 * them, so the state is empty and a restored run decides exactly as the original.
 */
export function createExtrapolatePolicy(options: ExtrapolateOptions, run: RunInfo): StoppingPolicy {
  const mode = checkMode('policy.mode', options.mode ?? run.mode);
  const probability = checkNumber('policy.probability', options.probability, { min: 0, max: 1 });
  const minEvals = checkNumber('policy.min_evals', options.min_evals, { min: 2, integer: true });
  const tolerance = checkNumber('policy.tolerance', options.tolerance, { min: 0 });
  const budgetTokens = checkNumber('budgetTokens', run.budgetTokens, { gt: 0 });
  const monitor = typeof options.monitor === 'string' && options.monitor !== '' ? options.monitor : 'value';
  const sign = mode === 'max' ? 1 : -1;

  // Cache: the fitter holds the first `consumed` evals; `lastKey` checks they are still the same.
  let fitter = new CurveFitter();
  let consumed = 0;
  let lastKey = '';
  const keyOf = (e: EvalPoint | undefined) => (e ? `${e.tokens}:${e.value}` : '');
  const sync = (evals: readonly EvalPoint[]) => {
    if (consumed > evals.length || keyOf(evals[consumed - 1]) !== lastKey) {
      fitter = new CurveFitter();
      consumed = 0;
    }
    for (let i = consumed; i < evals.length; i++) {
      const e = evals[i];
      if (e) fitter.add({ x: e.tokens / budgetTokens, y: sign * e.value });
    }
    consumed = evals.length;
    lastKey = keyOf(evals[consumed - 1]);
  };

  let last: ExtrapolationView | null = null;

  const decideWith = (input: DecideInput): Decision => {
    const { evals } = input;
    const lastEval = evals[evals.length - 1];
    if (!lastEval || evals.length < minEvals || lastEval.tokens >= budgetTokens) return CONTINUE;
    sync(evals);
    if (fitter.size < MIN_FIT_EVALS) return CONTINUE;

    const bounds = plausibleRange(evals, mode);
    const forecast = fitter.forecast({ bounds });
    if (!forecast) return CONTINUE;
    const best = bestOf(evals, sign);
    if (best === null) return CONTINUE;

    const view = describe(forecast, best, sign, tolerance, input);
    last = view;
    const shown = (v: number) => round(v);
    // Written only for a stop (nearly every decision continues, and it was half their cost).
    const predictedText = () =>
      `predicted ${monitor} ${shown(view.predicted)} ± ${shown(view.predictedSd)} by the budget (best so far ${shown(view.best)})`;
    if (view.pGain < probability) {
      return {
        kind: 'stop',
        reason: 'extrapolation',
        detail: `${predictedText()}; P(gain > ${tolerance}) = ${shown(view.pGain)} < ${probability}`,
      };
    }
    if (view.pBeatPeers !== null && view.pBeatPeers < probability) {
      return {
        kind: 'stop',
        reason: 'extrapolation',
        detail: `${predictedText()}; P(beating the best run, ${shown(sign * peersBest(input.peers, sign))}) = ${shown(view.pBeatPeers)} < ${probability}`,
      };
    }
    return CONTINUE;
  };

  return {
    name: 'extrapolate',
    decide: decideWith,
    snapshot(): PolicyState {
      // Informational only: decisions depend on the evals alone.
      return { last: last ? { ...last } : null };
    },
    restore(state: PolicyState): void {
      const s = stateObject(state, 'extrapolate');
      last = s.last && typeof s.last === 'object' ? ({ ...(s.last as object) } as ExtrapolationView) : null;
      fitter = new CurveFitter();
      consumed = 0;
      lastKey = '';
    },
  };
}

function describe(
  forecast: CurveForecast,
  best: number,
  sign: number,
  tolerance: number,
  input: DecideInput,
): ExtrapolationView {
  // Gain over min(actual best, fitted best): a noise spike above the curve is not reachable
  // progress, and a fit overshooting the data is not progress either.
  const reference = Math.min(best, forecast.fittedBest);
  const gainMean = forecast.gain.mean + (forecast.fittedBest - reference);
  const pGain = probabilityAbove(gainMean, forecast.gain.sd, tolerance);

  let pBeatPeers: number | null = null;
  if (input.peers.some((p) => p.finished)) {
    const target = peersBest(input.peers, sign);
    if (Number.isFinite(target)) {
      pBeatPeers = best > target ? 1 : probabilityAbove(forecast.value.mean, forecast.value.sd, target);
    }
  }
  return {
    predicted: sign * Math.max(best, forecast.value.mean),
    predictedSd: forecast.value.sd,
    best: sign * best,
    pGain,
    pBeatPeers,
  };
}

/** Best oriented value of the run's finite evals, or null. */
function bestOf(evals: readonly EvalPoint[], sign: number): number | null {
  let best: number | null = null;
  for (const e of evals) {
    const v = sign * e.value;
    if (Number.isFinite(v) && (best === null || v > best)) best = v;
  }
  return best;
}

/** Best oriented value over every peer's evals so far (−∞ when there is none). */
function peersBest(peers: DecideInput['peers'], sign: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const p of peers) {
    for (const e of p.evals) {
      const v = sign * e.value;
      if (Number.isFinite(v) && v > best) best = v;
    }
  }
  return best;
}

/**
 * Range a prediction may take, oriented like the fit: [0, 1] when every value is in [0, 1]
 * (EM, accuracy), [0, ∞) when every value is non-negative (losses), intersected with three
 * spans of the values seen on either side.
 */
export function plausibleRange(evals: readonly EvalPoint[], mode: Mode): { lo: number; hi: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const e of evals) {
    if (!Number.isFinite(e.value)) continue;
    min = Math.min(min, e.value);
    max = Math.max(max, e.value);
  }
  const span = Math.max(max - min, 1e-9);
  let lo = min - 3 * span;
  let hi = max + 3 * span;
  if (min >= 0) lo = Math.max(lo, 0);
  if (min >= 0 && max <= 1) hi = Math.min(hi, 1);
  return mode === 'max' ? { lo, hi } : { lo: -hi, hi: -lo };
}

function round(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}
