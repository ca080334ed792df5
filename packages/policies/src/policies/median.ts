import { nanPercentile } from '../curve-stats';
import { checkNumber, decodeFloat, encodeFloat, requireMode, stateInteger } from '../option-checks';
import type { MedianOptions } from '../options';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type EvalPoint,
  type Mode,
  type PeerRun,
  type PolicyState,
  type RunInfo,
  type StoppingPolicy,
} from '../types';

/** The value a peer reported at exactly `step` (evals are oldest first, so steps increase), if any. */
function valueAtStep(evals: readonly EvalPoint[], step: number): number | undefined {
  let lo = 0;
  let hi = evals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = evals[mid];
    if (e === undefined) return undefined;
    if (e.step === step) return e.value;
    if (e.step < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * The median stopping rule with Optuna's `MedianPruner` semantics (`PercentilePruner(50)`,
 * `interval_steps = 1`, `n_min_trials = 1`), in this order:
 * 1. no finished peer, or fewer than `startup_runs` (`n_startup_trials`): continue;
 * 2. during the run's first `warmup_evals` evals (`n_warmup_steps`, Optuna's step taken as the
 *    0-based eval index): continue;
 * 3. the run's best value so far (NaN ignored, like `np.nanmax`) is NaN: stop;
 * 4. p = `np.nanpercentile` (linear interpolation, 50th) of the values that finished peers
 *    reported at the **same step** as the run's latest eval; no such value: continue;
 * 5. stop if best < p (max) or best > p (min) — strictly; a tie continues.
 *
 * "Same step" is matched as Optuna does, by equality of the step key: a finished peer counts
 * only when it has an eval whose `step` equals the latest eval's `step` (runs with other eval
 * cadences or batch sizes do not compare). Optuna's "completed trials" are those that returned
 * normally (not pruned); a `PeerRun` only says `finished`, so every finished peer counts,
 * including ones stopped by a policy. Stop reason `median`.
 */
export class MedianPolicy implements StoppingPolicy {
  readonly name = 'median';
  private readonly mode: Mode;
  private readonly startupRuns: number;
  private readonly warmupEvals: number;

  private seen = 0;
  /** Best value so far in `max` terms, NaN ignored; -Infinity before any non-NaN value. */
  private best = Number.NEGATIVE_INFINITY;
  private anyValue = false;

  constructor(options: MedianOptions, run: RunInfo) {
    this.mode = requireMode(options.mode, run);
    this.startupRuns = checkNumber('startup_runs', options.startup_runs, { min: 0, integer: true });
    this.warmupEvals = checkNumber('warmup_evals', options.warmup_evals, { min: 0, integer: true });
  }

  decide({ evals, peers }: DecideInput): Decision {
    for (; this.seen < evals.length; this.seen++) {
      const v = evals[this.seen]?.value ?? Number.NaN;
      if (Number.isNaN(v)) continue;
      const g = this.mode === 'max' ? v : -v;
      if (!this.anyValue || g > this.best) this.best = g;
      this.anyValue = true;
    }
    const current = evals[evals.length - 1];
    if (current === undefined) return CONTINUE;
    return this.check(current, evals.length - 1, peers);
  }

  snapshot(): PolicyState {
    return { seen: this.seen, best: encodeFloat(this.best), anyValue: this.anyValue };
  }

  restore(state: PolicyState): void {
    this.seen = stateInteger(state, 'seen', this.name);
    this.best = decodeFloat(state.best, 'median: state.best');
    this.anyValue = state.anyValue === true;
  }

  private check(current: EvalPoint, index: number, peers: readonly PeerRun[]): Decision {
    let finished = 0;
    for (const p of peers) if (p.finished) finished++;
    if (finished === 0 || finished < this.startupRuns) return CONTINUE;
    if (index < this.warmupEvals) return CONTINUE;
    if (!this.anyValue) {
      return { kind: 'stop', reason: 'median', detail: 'every value so far is NaN' };
    }
    const values: number[] = [];
    for (const p of peers) {
      if (!p.finished) continue;
      const v = valueAtStep(p.evals, current.step);
      if (v !== undefined) values.push(v);
    }
    const median = nanPercentile(values, 50);
    if (Number.isNaN(median)) return CONTINUE;
    const best = this.mode === 'max' ? this.best : -this.best;
    const worse = this.mode === 'max' ? best < median : best > median;
    if (!worse) return CONTINUE;
    return {
      kind: 'stop',
      reason: 'median',
      detail: `best ${best} is worse than the median ${median} of ${values.length} finished runs at step ${current.step}`,
    };
  }
}

export function createMedianPolicy(options: MedianOptions, run: RunInfo): StoppingPolicy {
  return new MedianPolicy(options, run);
}
