import { noiseScale } from '../curve-stats';
import { leftChance } from '../policies/left-chance';
import type { EvalPoint, Mode } from '../types';

/** Relative slack on token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;
/** Fewest evals in the window (three differences) before the run's own noise is trusted. */
export const MIN_WINDOW_EVALS = 4;
/** Most recent evals of the window σ is measured on (as the threshold policy's), so each eval costs O(1). */
const MAX_NOISE_EVALS = 40;

/**
 * Whether a run has left chance as the bound sees it (`leftChance`), measured from its second eval
 * when it has one: the first is often the model at initialisation, and the step from it to the
 * second can be a degenerate one (a speech model's WER falls from 3.5 to 0.9 once it emits
 * blanks, and stays there until it starts learning). A run whose whole gain came between its
 * first two evals has shown no learning whose slowing could be extrapolated. `standing` is the
 * oriented best so far (higher is better), as `leftChance` takes it.
 */
export function boundLeftChance(
  evals: readonly EvalPoint[],
  standing: number,
  mode: Mode,
  chanceShare: number,
): boolean {
  const reference = evals[Math.min(1, evals.length - 1)];
  if (reference === undefined) return false;
  return leftChance(reference.value, standing, mode, chanceShare);
}

/**
 * A bound on what a run's best so far can still gain over the rest of its budget, from the run's
 * own curve alone, in the metric's own units and direction: at an eval at budget fraction p,
 *   bound = gain × (1 − p) / window + noise × σ,
 * `gain` what the best so far gained over the last `window` of the budget (≥ 0), extrapolated
 * linearly over the remaining budget (an upper bound for a curve of diminishing returns, whose
 * gain per token only falls), and σ the run's own eval-to-eval noise over that window (its last
 * 40 evals at most; `noiseScale`), which the best so far of a flat curve can still gain by chance. Infinite until
 * the run has a full window behind it with at least `MIN_WINDOW_EVALS` evals in it, over a window
 * whose evals are all the same number (`stuck`), and at the budget itself.
 *
 * Incremental: `push` each eval in order. Both the policy
 * (`policies/remaining-gain.ts`) and the tables history is scored with
 * (`learn/remaining-gain-table.ts`) compute it here, so the two stop at the same evals.
 */
export class RemainingGainBound {
  private readonly sign: 1 | -1;
  /** Oriented values and best so far, per eval pushed. */
  private readonly gains: number[] = [];
  private readonly best: number[] = [];
  private readonly tokens: number[] = [];
  /** Index of the last eval at or before the window's start. */
  private from = -1;

  constructor(
    mode: Mode,
    private readonly window: number,
    private readonly budgetTokens: number,
  ) {
    this.sign = mode === 'max' ? 1 : -1;
  }

  /** Evals pushed so far. */
  get length(): number {
    return this.gains.length;
  }

  /** The best so far, oriented (higher is better). */
  get bestSoFar(): number {
    return this.best.at(-1) ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * Adds the next eval; returns the bound's first part at it, gain × (1 − p) / window, Infinity
   * while there is no full window. Its second, σ, costs more and is asked for only where the first
   * leaves room under a threshold (`sigma`).
   */
  push(e: EvalPoint): number {
    const v = this.sign * e.value;
    const prev = this.bestSoFar;
    this.gains.push(v);
    // biome-ignore lint/complexity/useMathMinMax: Math.max would carry a NaN eval into the best.
    this.best.push(v > prev ? v : prev);
    this.tokens.push(e.tokens);
    const i = this.gains.length - 1;
    const budget = this.budgetTokens;
    const none = Number.POSITIVE_INFINITY;
    if (!(this.window > 0 && this.window < 1) || e.tokens < this.window * budget * (1 - TOKENS_EPS))
      return none;
    const start = e.tokens - this.window * budget;
    while (this.from + 1 < i && (this.tokens[this.from + 1] as number) <= start + TOKENS_EPS * budget)
      this.from++;
    if (this.from < 0 || i - this.from + 1 < MIN_WINDOW_EVALS) return none;
    const gained = (this.best[i] as number) - (this.best[this.from] as number);
    if (!Number.isFinite(gained) || this.stuck(this.from, i)) return none;
    // At the budget there is nothing left to stop: the run ends there anyway.
    const remaining = 1 - e.tokens / budget;
    if (!(remaining > TOKENS_EPS)) return none;
    return (gained * remaining) / this.window;
  }

  /** σ of the window at the last eval pushed (its last 40 evals at most), for a finite `push`. */
  sigma(): number {
    const i = this.gains.length - 1;
    return noiseScale(this.gains, Math.max(this.from, i - MAX_NOISE_EVALS + 1), i);
  }

  /**
   * Whether every eval of `gains[from..to]` is the same number: a model whose metric does not move
   * at all gives the same output on every eval (a speech model emitting blanks holds its WER to
   * the last bit), which is a run that has not started learning, not one that has finished.
   */
  private stuck(from: number, to: number): boolean {
    const v = this.gains[to] as number;
    for (let j = from; j < to; j++) if (this.gains[j] !== v) return false;
    return true;
  }
}
