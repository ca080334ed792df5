/**
 * The vocabulary every stopping policy speaks. Policies are pure: each decision is a function of
 * the run's evals so far, the other runs' evals visible at that moment, the options and (for the
 * learned ones) a model fitted on history. No clock, no I/O, no randomness without a seed.
 */

/** Whether a larger (`max`, EM, accuracy) or smaller (`min`, loss) monitored value is better. */
export type Mode = 'max' | 'min';

/** One validation point of a run, as a policy sees it. */
export interface EvalPoint {
  /** Training step (or epoch) of the eval. */
  step: number;
  /** Training tokens used when the eval was taken. */
  tokens: number;
  /** The monitored metric (`policy.monitor`, EM by default). */
  value: number;
  /** Other metrics of the same eval (loss, perplexity, train_loss, …), when known. */
  metrics?: Readonly<Record<string, number>>;
}

/** What a policy knows about the run it decides for. */
export interface RunInfo {
  id: string;
  /** The most tokens the run may use: its full budget. Never inferred from how many evals exist. */
  budgetTokens: number;
  mode: Mode;
  /**
   * Name of the monitored metric (`em`, `val_loss`, `validation/wer`…): with `mode`, the kind of
   * curve a learned policy matches history by. Absent: the policy options' `monitor`.
   */
  metric?: string;
  /** Task and config features (family, model size, lr, …) for learned policies. */
  features?: Readonly<Record<string, unknown>>;
}

/** Another run of the same experiment, with only the evals that happened before this decision. */
export interface PeerRun {
  id: string;
  budgetTokens: number;
  evals: readonly EvalPoint[];
  /** The peer's task and config features, when known. */
  features?: Readonly<Record<string, unknown>>;
  /** True when the peer has ended (stopped or trained to budget): its evals are final. */
  finished: boolean;
}

export interface DecideInput {
  /** Every eval of this run so far, oldest first; the last one is the eval just taken. */
  evals: readonly EvalPoint[];
  /** Other runs of the experiment as visible now (empty in run scope). */
  peers: readonly PeerRun[];
}

/** Why a run stopped. */
export type StopReason =
  | 'patience' // no improvement for `patience` evals (Keras semantics)
  | 'baseline' // never beat the baseline within patience
  | 'plateau' // the noise-aware threshold saw a flat, noisy plateau
  | 'median' // worse than the median of other runs at this point
  | 'halving' // not promoted at a successive-halving rung
  | 'extrapolation' // the fitted learning curve says the gain left is below tolerance
  | 'predicted-peak' // the learned model says the run has peaked
  | 'hopeless' // the learned model says it cannot catch the best run of its experiment
  | 'outranked' // stands lower among its experiment's runs than history's near-best runs ever did
  | 'diverged' // a metric turned NaN or infinite: training broke down
  | 'cancelled' // a user cancelled the run
  | 'budget'; // trained to its full budget

export type Decision =
  | { kind: 'continue' }
  | { kind: 'stop'; reason: StopReason; detail?: string }
  | {
      kind: 'adjust';
      /** Multiply the current learning rate by this (e.g. 0.1 before stopping). */
      lrFactor?: number;
      /** Absolute learning rate to set. */
      lr?: number;
      weightDecay?: number;
      dropout?: number;
      reason: string;
    };

export const CONTINUE: Decision = Object.freeze({ kind: 'continue' });

/** A policy's state: plain JSON, so a resumed run decides exactly as the original would have. */
export type PolicyState = Readonly<Record<string, unknown>>;

export interface StoppingPolicy {
  readonly name: string;
  decide(input: DecideInput): Decision;
  snapshot(): PolicyState;
  restore(state: PolicyState): void;
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** How much better `a` is than `b` under `mode` (positive = better). */
export function gain(a: number, b: number, mode: Mode): number {
  return mode === 'max' ? a - b : b - a;
}

/** Index of the best value in `evals[0..upto]` (the first one on ties, like Keras). */
export function bestIndex(evals: readonly EvalPoint[], mode: Mode, upto = evals.length - 1): number {
  let best = 0;
  for (let i = 1; i <= upto; i++) {
    const e = evals[i];
    const b = evals[best];
    if (e && b && gain(e.value, b.value, mode) > 0) best = i;
  }
  return best;
}
