import { PolicyStateError } from '../errors';
import { decodeFloat, encodeFloat, stateInteger } from '../option-checks';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type Mode,
  type PolicyState,
  type RunInfo,
  type StoppingPolicy,
} from '../types';
import { CHANCE_SHARE, leftChance } from './left-chance';

/** Relative slack on token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;

export interface PlateauSettings {
  mode: Mode;
  /** Budget fraction looked back over; a window of 1 or more never stops a run before its budget. */
  window: number;
  /** The most the best so far may have gained over the window for the run to stop (metric units). */
  gain: number;
  /**
   * A run that has not left chance by this share of its headroom (`leftChance`) is never stopped:
   * a run that has not started learning shows no plateau of learning. @defaultValue 0.05
   */
  chanceShare?: number;
}

/**
 * Stops a run whose best value so far has gained no more than `gain` over the last `window` of
 * its budget: at an eval at fraction p ≥ window of the budget, best(p) − best(p − window) ≤ gain,
 * best(p − window) being the best over the evals at or before that point. Both are in the
 * monitored metric's own units, so the rule means the same on an accuracy, a loss in nats or a
 * WER: `auto` sets `gain` to the tolerance and learns `window` from history
 * (`learn/plateau-table.ts` computes the same stops on recorded curves). A run still at chance is
 * not stopped (`chanceShare`). NaN values never count as a gain. O(1) amortised per eval. Stop
 * reason `plateau`.
 */
export class PlateauPolicy implements StoppingPolicy {
  readonly name = 'plateau';
  private readonly sign: 1 | -1;
  private seen = 0;
  /** Best so far (oriented), over evals[0..seen). */
  private best = Number.NEGATIVE_INFINITY;
  /** Index of the last eval at or before the window's start, and the best up to it. */
  private from = -1;
  private bestAtFrom = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly run: RunInfo,
    private readonly settings: PlateauSettings,
  ) {
    this.sign = settings.mode === 'max' ? 1 : -1;
  }

  decide({ evals }: DecideInput): Decision {
    for (; this.seen < evals.length; this.seen++) {
      const v = this.sign * (evals[this.seen]?.value ?? Number.NaN);
      if (v > this.best) this.best = v;
    }
    const last = evals[evals.length - 1];
    const { window, gain } = this.settings;
    if (last === undefined || !(window < 1)) return CONTINUE;
    const budget = this.run.budgetTokens;
    if (last.tokens < window * budget * (1 - TOKENS_EPS)) return CONTINUE;
    const start = last.tokens - window * budget;
    for (;;) {
      const next = evals[this.from + 1];
      if (next === undefined || next.tokens > start + TOKENS_EPS * budget) break;
      this.from++;
      const v = this.sign * next.value;
      if (v > this.bestAtFrom) this.bestAtFrom = v;
    }
    if (this.from < 0 || !(this.best - this.bestAtFrom <= gain)) return CONTINUE;
    const first = evals[0]?.value ?? Number.NaN;
    if (!leftChance(first, this.best, this.settings.mode, this.settings.chanceShare ?? CHANCE_SHARE)) {
      return CONTINUE;
    }
    return {
      kind: 'stop',
      reason: 'plateau',
      detail: `best gained ${(this.best - this.bestAtFrom).toPrecision(3)} ≤ ${gain} over the last ${window} of the budget`,
    };
  }

  snapshot(): PolicyState {
    return {
      seen: this.seen,
      best: encodeFloat(this.best),
      from: this.from,
      bestAtFrom: encodeFloat(this.bestAtFrom),
    };
  }

  restore(state: PolicyState): void {
    this.seen = stateInteger(state, 'seen', this.name);
    this.best = decodeFloat(state.best, 'plateau: state.best');
    const from = state.from;
    if (typeof from !== 'number' || !Number.isInteger(from) || from < -1) {
      throw new PolicyStateError(
        `plateau: state.from: expected an integer ≥ -1, got ${JSON.stringify(from)}`,
      );
    }
    this.from = from;
    this.bestAtFrom = decodeFloat(state.bestAtFrom, 'plateau: state.bestAtFrom');
  }
}

export function createPlateauPolicy(run: RunInfo, settings: PlateauSettings): StoppingPolicy {
  return new PlateauPolicy(run, settings);
}
