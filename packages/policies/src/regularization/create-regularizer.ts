import { PolicyStateError } from '../errors';
import { checkBoolean, checkMode, checkNumber, stateNumber, stateObject } from '../option-checks';
import { gain, type Mode, type PolicyState } from '../types';

/** The spec's `regularization:` section (snake_case, as parsed). */
export interface RegularizationOptions {
  /** Adjust regularisation during training. @defaultValue false */
  adaptive: boolean;
  /** Ceiling of adaptive weight decay. @defaultValue 0.01 */
  max_weight_decay: number;
  /** Ceiling of adaptive dropout, from 0 to 0.9. @defaultValue 0.5 */
  max_dropout: number;
  /** Train–val gap (in the monitored metric's units, e.g. EM) above which regularisation rises. @defaultValue 0.05 */
  gap_threshold: number;
}

export interface RegularizationValues {
  weightDecay: number;
  dropout: number;
}

export interface RegularizerEval {
  /** The monitored metric on training data (e.g. train EM, or train loss with mode min). */
  trainValue: number;
  /** The same metric on validation data. */
  valValue: number;
  mode: Mode;
}

export interface RegularizerStep extends RegularizationValues {
  /** True when this eval raised weight decay and/or dropout. */
  changed: boolean;
}

export interface Regularizer {
  onEval(input: RegularizerEval): RegularizerStep;
  /** The values to train with now. */
  readonly current: RegularizationValues;
  snapshot(): PolicyState;
  restore(state: PolicyState): void;
}

/** Gaps (this eval included) whose trend must be widening before regularisation rises. */
export const GAP_TREND_EVALS = 3;
/** Weight decay starts from `max_weight_decay / 100` when the run's own is 0. */
export const WEIGHT_DECAY_FLOOR_FRACTION = 0.01;
/** Dropout rises by this much per change. */
export const DROPOUT_STEP = 0.1;

interface RegularizerState extends RegularizationValues {
  /** The last gaps since the previous change, oldest first (at most GAP_TREND_EVALS). */
  gaps: number[];
}

/**
 * Adaptive regularisation. Each eval measures the gap by which train is better than validation
 * (`gain(train, val, mode)`). When the gap exceeds `gap_threshold` and has widened over the last
 * GAP_TREND_EVALS evals (least-squares slope > 0, and the newest gap is the largest of them), it
 * raises weight decay (×2, from a small floor when 0) and dropout (+0.1), each up to its ceiling,
 * once per eval. The trend window restarts after a change, so the next raise needs fresh evidence
 * that the gap still widens (a change needs a few evals to show). Values only ever rise: a
 * closing gap holds them where they are, so they never fall below the run's initial values.
 * Ceilings below the initial values leave those values untouched. Non-finite values are skipped.
 */
export function createRegularizer(
  options: RegularizationOptions,
  initial: RegularizationValues,
): Regularizer {
  const adaptive = checkBoolean('regularization.adaptive', options.adaptive);
  const maxWeightDecay = checkNumber('regularization.max_weight_decay', options.max_weight_decay, { min: 0 });
  const maxDropout = checkNumber('regularization.max_dropout', options.max_dropout, { min: 0, max: 0.9 });
  const gapThreshold = checkNumber('regularization.gap_threshold', options.gap_threshold, { min: 0, max: 1 });
  const weightDecay0 = checkNumber('weightDecay', initial.weightDecay, { min: 0 });
  const dropout0 = checkNumber('dropout', initial.dropout, { min: 0, lt: 1 });

  let state: RegularizerState = { weightDecay: weightDecay0, dropout: dropout0, gaps: [] };

  const raise = (s: RegularizerState): RegularizationValues => {
    const wdCap = Math.max(maxWeightDecay, weightDecay0);
    const weightDecay =
      s.weightDecay > 0
        ? Math.min(wdCap, s.weightDecay * 2)
        : Math.min(wdCap, maxWeightDecay * WEIGHT_DECAY_FLOOR_FRACTION);
    // Rounded to a tenth of a percent so 0.1 + 0.1 + 0.1 reads 0.3, not 0.30000000000000004.
    const dropout = Math.min(
      Math.max(maxDropout, dropout0),
      Math.round((s.dropout + DROPOUT_STEP) * 1000) / 1000,
    );
    return { weightDecay, dropout };
  };

  const view = (changed: boolean): RegularizerStep => ({
    weightDecay: state.weightDecay,
    dropout: state.dropout,
    changed,
  });

  return {
    get current() {
      return { weightDecay: state.weightDecay, dropout: state.dropout };
    },
    onEval({ trainValue, valValue, mode }: RegularizerEval): RegularizerStep {
      checkMode('mode', mode);
      if (!adaptive || !Number.isFinite(trainValue) || !Number.isFinite(valValue)) return view(false);
      const gap = gain(trainValue, valValue, mode);
      const gaps = [...state.gaps, gap].slice(-GAP_TREND_EVALS);
      state = { ...state, gaps };
      if (gap <= gapThreshold || !widening(gaps)) return view(false);
      const next = raise(state);
      if (next.weightDecay === state.weightDecay && next.dropout === state.dropout) return view(false);
      state = { ...next, gaps: [] };
      return view(true);
    },
    snapshot() {
      return { weightDecay: state.weightDecay, dropout: state.dropout, gaps: [...state.gaps] };
    },
    restore(saved: PolicyState) {
      const what = 'regularizer';
      const s = stateObject(saved, what);
      const gaps = s.gaps;
      if (!Array.isArray(gaps) || !gaps.every((g) => typeof g === 'number')) {
        throw new PolicyStateError(`${what}: cannot restore state, gaps is ${JSON.stringify(gaps)}`);
      }
      state = {
        weightDecay: stateNumber(s, 'weightDecay', what),
        dropout: stateNumber(s, 'dropout', what),
        gaps: gaps as number[],
      };
    },
  };
}

/** A full window whose least-squares slope is positive and whose newest gap is its largest. */
function widening(gaps: readonly number[]): boolean {
  const n = gaps.length;
  if (n < GAP_TREND_EVALS) return false;
  const meanX = (n - 1) / 2;
  let meanY = 0;
  for (const g of gaps) meanY += g / n;
  let num = 0;
  gaps.forEach((g, i) => {
    num += (i - meanX) * (g - meanY);
  });
  const last = gaps[n - 1] ?? Number.NaN;
  return num > 0 && gaps.every((g) => g <= last);
}
