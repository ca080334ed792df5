import { boundLeftChance, RemainingGainBound } from '../learn/remaining-gain';
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
import { CHANCE_SHARE } from './left-chance';

export interface RemainingGainSettings {
  mode: Mode;
  /** Budget fraction the gain is measured over, in (0, 1). */
  window: number;
  /** Multiplier of the run's own eval-to-eval noise σ added to the extrapolated gain. */
  noise: number;
  /** The run stops once the bound is at most this (metric units); ≤ 0 never stops it. */
  threshold: number;
  /** @defaultValue 0.05 (`CHANCE_SHARE`) */
  chanceShare?: number;
}

/**
 * Stops a run judged alone once what its best so far can still gain over the rest of its budget,
 * bounded from its own curve (`learn/remaining-gain.ts`: the gain over the last `window`
 * extrapolated linearly over the remaining budget, plus `noise` × its own σ), is at most
 * `threshold`, in the metric's own units and direction. It needs no history of the run's kind of
 * curve; `auto` sets the threshold to the tolerance, or to what history bounds
 * (`learn/remaining-gain-table.ts` scores the same stops on recorded curves). A run that has not
 * left chance since its second eval is never stopped. Stop reason `plateau`.
 *
 * Its state is a function of the run's evals alone: a restored policy rebuilds it from the evals
 * of its next decision, and decides as the original would have.
 */
export class RemainingGainPolicy implements StoppingPolicy {
  readonly name = 'remaining-gain';
  private bound: RemainingGainBound;
  /** The bound's first part at the last eval seen. */
  private extrapolated = Number.POSITIVE_INFINITY;

  constructor(
    private readonly run: RunInfo,
    private readonly settings: RemainingGainSettings,
  ) {
    this.bound = this.fresh();
  }

  private fresh(): RemainingGainBound {
    return new RemainingGainBound(this.settings.mode, this.settings.window, this.run.budgetTokens);
  }

  decide({ evals }: DecideInput): Decision {
    if (evals.length < this.bound.length) this.bound = this.fresh();
    for (let i = this.bound.length; i < evals.length; i++)
      this.extrapolated = this.bound.push(evals[i] as EvalPoint);
    const { noise, threshold, mode } = this.settings;
    if (evals.length === 0 || !(threshold > 0) || !(this.extrapolated <= threshold)) return CONTINUE;
    const remaining = this.extrapolated + noise * this.bound.sigma();
    if (!(remaining <= threshold)) return CONTINUE;
    if (!boundLeftChance(evals, this.bound.bestSoFar, mode, this.settings.chanceShare ?? CHANCE_SHARE)) {
      return CONTINUE;
    }
    return {
      kind: 'stop',
      reason: 'plateau',
      detail: `best can gain at most ${remaining.toPrecision(3)} ≤ ${threshold} over the remaining budget`,
    };
  }

  snapshot(): PolicyState {
    return {};
  }

  restore(_state: PolicyState): void {
    this.bound = this.fresh();
    this.extrapolated = Number.POSITIVE_INFINITY;
  }
}

export function createRemainingGainPolicy(run: RunInfo, settings: RemainingGainSettings): StoppingPolicy {
  return new RemainingGainPolicy(run, settings);
}
