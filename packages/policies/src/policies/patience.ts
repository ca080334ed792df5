import { PolicyOptionsError } from '../errors';
import { checkNumber, decodeFloat, encodeFloat, requireMode, stateInteger } from '../option-checks';
import type { PatienceOptions } from '../options';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type Mode,
  type PolicyState,
  type RunInfo,
  type StoppingPolicy,
} from '../types';

/**
 * Keras / TF.js `EarlyStopping`, one eval per epoch, so settings carry over unchanged.
 *
 * We follow TF.js 4.x (`tf.callbacks.earlyStopping`, tested against it eval by eval), which is
 * also how early Keras 2 releases behaved:
 * - an eval improves when `value - min_delta > best` (max) or `value + min_delta < best` (min);
 *   `min_delta` is an absolute amount whose sign follows the mode;
 * - `best` starts at `baseline` when given (else ∓∞), so beating the baseline *is* the first
 *   improvement; an improvement sets `best = value` and `wait = 0`, anything else does
 *   `wait += 1` and stops once `wait >= patience` (so `patience: 0` stops at the first eval that
 *   does not improve, even eval 0 when it does not beat the baseline).
 *
 * Where later Keras (late Keras 2 releases and Keras 3) differs, and we do not follow it:
 * - Keras starts `best` at ∓∞ and keeps `baseline` as a separate gate: any eval better than the
 *   best so far becomes `best`, but `wait` is reset only if it also beats the baseline;
 * - Keras never stops at epoch 0 (`epoch > 0` guard).
 * Without a baseline and with `patience >= 1` the three agree exactly.
 *
 * `start_from_eval` is Keras' `start_from_epoch` (TF.js has no such option): evals with index
 * `< start_from_eval` are ignored entirely — they neither set `best` nor count towards `wait`.
 *
 * Stop reason: `baseline` when a baseline was given and no counted eval ever beat it, else
 * `patience`. `restore_best` does not change when to stop (the trainer ships the best eval).
 * Like Keras the rule is not sticky: if a caller keeps training after a stop, the next
 * non-improving eval stops again and an improvement resets the wait.
 */
export class PatiencePolicy implements StoppingPolicy {
  readonly name = 'patience';
  private readonly mode: Mode;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly baseline: number | undefined;
  private readonly startFromEval: number;

  /** Evals folded into the state so far. */
  private seen = 0;
  private wait = 0;
  private best: number;
  /** Whether some counted eval improved on the initial `best` (the baseline, when given). */
  private improved = false;
  private last: Decision = CONTINUE;

  constructor(options: PatienceOptions, run: RunInfo) {
    this.mode = requireMode(options.mode, run);
    this.patience = checkNumber('patience', options.patience, { min: 0, integer: true });
    this.minDelta = checkNumber('min_delta', options.min_delta, { min: 0 });
    if (options.baseline !== undefined && !Number.isFinite(options.baseline)) {
      throw new PolicyOptionsError(`baseline: expected a finite number, got ${String(options.baseline)}`);
    }
    this.baseline = options.baseline;
    this.startFromEval = checkNumber('start_from_eval', options.start_from_eval, { min: 0, integer: true });
    this.best = this.initialBest();
  }

  decide({ evals }: DecideInput): Decision {
    // Fold in every eval not seen yet (normally exactly one); a repeated call returns the same answer.
    for (; this.seen < evals.length; this.seen++) {
      const e = evals[this.seen];
      if (e === undefined || this.seen < this.startFromEval) {
        this.last = CONTINUE;
        continue;
      }
      this.last = this.observe(e.value);
    }
    return this.last;
  }

  snapshot(): PolicyState {
    return {
      seen: this.seen,
      wait: this.wait,
      best: encodeFloat(this.best),
      improved: this.improved,
      last: this.last,
    };
  }

  restore(state: PolicyState): void {
    this.seen = stateInteger(state, 'seen', this.name);
    this.wait = stateInteger(state, 'wait', this.name);
    this.best = decodeFloat(state.best, 'patience: state.best');
    this.improved = state.improved === true;
    this.last = (state.last as Decision | undefined) ?? CONTINUE;
  }

  private initialBest(): number {
    if (this.baseline !== undefined) return this.baseline;
    return this.mode === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  private observe(value: number): Decision {
    const improves =
      this.mode === 'max' ? value - this.minDelta > this.best : value + this.minDelta < this.best;
    if (improves) {
      this.best = value;
      this.wait = 0;
      this.improved = true;
      return CONTINUE;
    }
    this.wait++;
    if (this.wait < this.patience) return CONTINUE;
    if (this.baseline !== undefined && !this.improved) {
      return {
        kind: 'stop',
        reason: 'baseline',
        detail: `did not beat the baseline ${this.baseline} within ${this.patience} evals`,
      };
    }
    return {
      kind: 'stop',
      reason: 'patience',
      detail: `no improvement over ${this.best} by more than ${this.minDelta} for ${this.wait} evals`,
    };
  }
}

export function createPatiencePolicy(options: PatienceOptions, run: RunInfo): StoppingPolicy {
  return new PatiencePolicy(options, run);
}
