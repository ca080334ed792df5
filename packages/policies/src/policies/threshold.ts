import { linearTrend, nanPercentile, noiseScale, toGain } from '../curve-stats';
import {
  checkNumber,
  decodeFloat,
  encodeFloat,
  requireBudget,
  requireMode,
  stateInteger,
} from '../option-checks';
import type { ThresholdOptions } from '../options';
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

/**
 * The level of an eval is the mean of the last 3 evals (fewer at the start): it improves when it
 * beats the best level by 2 standard errors of that mean (2σ/√3), ≈ 2.3% false alarms per eval.
 */
const SMOOTH_EVALS = 3;
const IMPROVEMENT_SIGMAS = 2;
/**
 * The trend keeps a run alive when its slope is 1 standard error above 0 (one-sided ≈ 84%):
 * stopping a rising run costs EM, the thing the user bounded, while waiting costs only tokens.
 */
const RISING_SIGMAS = 1;
/** A plateau is confident when even slope + 2 standard errors adds less than `tolerance`. */
const FLAT_SIGMAS = 2;
/** Patience, as a fraction of the budget, before it is shortened or extended. */
const BASE_PATIENCE_FRACTION = 0.15;
/** Patience never drops below this many evals without improvement, however coarse the evals. */
const MIN_IDLE_EVALS = 2;
/**
 * Recent evals used for noise and trend: half the run, at least 8, at most 40. A plateau is never
 * declared on fewer than 8 evals: noise and trend cannot be told apart on less.
 */
const MIN_WINDOW_EVALS = 8;
const MAX_WINDOW_EVALS = 40;
/** Slack when comparing budget fractions computed from different budgets. */
const FRACTION_EPS = 1e-9;

/** The window's gains for `noiseAt`: one buffer, reused (noiseAt runs at nearly every eval). */
const gainsBuffer = new Float64Array(MAX_WINDOW_EVALS);
const windowGains = (size: number) => gainsBuffer.subarray(0, size);

function windowStart(index: number): number {
  const n = index + 1;
  const w = Math.min(n, MAX_WINDOW_EVALS, Math.max(MIN_WINDOW_EVALS, Math.ceil(n / 2)));
  return index - w + 1;
}

/**
 * The noise-aware dynamic threshold (`threshold`): patience whose every knob comes from the run
 * itself, the user's `tolerance` and the budget.
 *
 * - Noise σ: a robust scale (MAD) of the first differences of the recent window (half the run,
 *   8–40 evals), so a steady trend does not count as noise.
 * - Improvement: the level (mean of the last 3 evals) improves when it beats the best level by
 *   more than 2σ/√3 (σ estimated with that eval): the noisier the run, the larger a gain must be
 *   to count — no fixed min_delta.
 * - Patience is measured in budget fraction since the last improvement: 15% of the budget (and at
 *   least 2 evals), then
 *   - extended indefinitely while the window's least-squares slope (per unit budget fraction) is
 *     positive by one standard error (slope − se > 0) and slope × remaining budget fraction >
 *     tolerance: a slow, steady rise buried in noise keeps the run alive;
 *   - halved on a confident plateau: even the optimistic slope (slope + 2·se) would add less than
 *     `tolerance` by the budget (flat, or falling as in overfitting);
 *   - doubled when peers are given and this run's best so far is below the median of the peers'
 *     best so far at the same fraction of their own budgets (peers that got further at this point
 *     say the task still has headroom; only peers that reached this fraction count).
 * - Never stops before `min_evals` evals, nor before 8 evals. Stop reason `plateau`.
 *
 * Each decision costs O(window) (plus O(peer evals) only when a stop is otherwise due).
 */
export class ThresholdPolicy implements StoppingPolicy {
  readonly name = 'threshold';
  private readonly mode: Mode;
  private readonly budgetTokens: number;
  private readonly tolerance: number;
  private readonly minEvals: number;

  private seen = 0;
  /** Level (mean gain of the last 3 evals, in `max` terms) at the last improvement. */
  private best = Number.NEGATIVE_INFINITY;
  /** Highest gain seen: the run's deployed value, compared with peers. */
  private maxGain = Number.NEGATIVE_INFINITY;
  /** Index of the last eval that counted as an improvement (-1 before any). */
  private lastImprovement = -1;

  constructor(options: ThresholdOptions, run: RunInfo) {
    this.mode = requireMode(options.mode, run);
    this.budgetTokens = requireBudget(run);
    this.tolerance = checkNumber('tolerance', options.tolerance, { min: 0 });
    this.minEvals = checkNumber('min_evals', options.min_evals, { min: 0, integer: true });
  }

  decide({ evals, peers }: DecideInput): Decision {
    for (; this.seen < evals.length; this.seen++) this.observe(evals, this.seen);
    const index = evals.length - 1;
    if (index < 0 || evals.length < this.minEvals) return CONTINUE;
    return this.check(evals, peers, index);
  }

  snapshot(): PolicyState {
    return {
      seen: this.seen,
      best: encodeFloat(this.best),
      maxGain: encodeFloat(this.maxGain),
      lastImprovement: this.lastImprovement,
    };
  }

  restore(state: PolicyState): void {
    this.seen = stateInteger(state, 'seen', this.name);
    this.best = decodeFloat(state.best, 'threshold: state.best');
    this.maxGain = decodeFloat(state.maxGain, 'threshold: state.maxGain');
    const last = state.lastImprovement;
    this.lastImprovement = typeof last === 'number' && Number.isInteger(last) ? last : -1;
  }

  private gainAt(evals: readonly EvalPoint[], i: number): number {
    return toGain(evals[i]?.value ?? Number.NaN, this.mode);
  }

  /** Mean gain of the last `SMOOTH_EVALS` evals up to `i`, and how many were averaged. */
  private levelAt(evals: readonly EvalPoint[], i: number): { level: number; count: number } {
    const from = Math.max(0, i - SMOOTH_EVALS + 1);
    let sum = 0;
    for (let j = from; j <= i; j++) sum += this.gainAt(evals, j);
    return { level: sum / (i - from + 1), count: i - from + 1 };
  }

  /** Gains and budget fractions of `evals[from..to]`, indexed from 0. */
  private window(evals: readonly EvalPoint[], from: number, to: number): { xs: number[]; ys: number[] } {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = from; i <= to; i++) {
      xs.push((evals[i]?.tokens ?? Number.NaN) / this.budgetTokens);
      ys.push(this.gainAt(evals, i));
    }
    return { xs, ys };
  }

  private noiseAt(evals: readonly EvalPoint[], index: number): number {
    const from = windowStart(index);
    const gains = windowGains(index - from + 1);
    for (let i = from; i <= index; i++) gains[i - from] = this.gainAt(evals, i);
    return noiseScale(gains, 0, index - from);
  }

  private observe(evals: readonly EvalPoint[], j: number): void {
    const raw = this.gainAt(evals, j);
    if (raw > this.maxGain) this.maxGain = raw;
    const { level, count } = this.levelAt(evals, j);
    if (this.lastImprovement < 0) {
      if (Number.isNaN(level)) return;
      this.best = level;
      this.lastImprovement = j;
      return;
    }
    // The noise (≥ 0) only ever lowers the level: below the best, no need to measure it.
    if (
      level > this.best &&
      level - (IMPROVEMENT_SIGMAS * this.noiseAt(evals, j)) / Math.sqrt(count) > this.best
    ) {
      this.best = level;
      this.lastImprovement = j;
    }
  }

  private check(evals: readonly EvalPoint[], peers: readonly PeerRun[], index: number): Decision {
    const since = Math.max(this.lastImprovement, 0);
    if (index + 1 < MIN_WINDOW_EVALS || index - since < MIN_IDLE_EVALS) return CONTINUE;
    const progress = (evals[index]?.tokens ?? 0) / this.budgetTokens;
    const idle = progress - (evals[since]?.tokens ?? 0) / this.budgetTokens;
    if (idle < BASE_PATIENCE_FRACTION / 2) return CONTINUE;

    const from = windowStart(index);
    const { xs, ys } = this.window(evals, from, index);
    const { slope, slopeSe } = linearTrend(xs, ys, 0, ys.length - 1);
    const remaining = Math.max(0, 1 - progress);
    const rising = slope - RISING_SIGMAS * slopeSe > 0 && slope * remaining > this.tolerance;
    if (rising) return CONTINUE;
    const flat = (slope + FLAT_SIGMAS * slopeSe) * remaining < this.tolerance;
    let patience = flat ? BASE_PATIENCE_FRACTION / 2 : BASE_PATIENCE_FRACTION;
    if (idle < patience) return CONTINUE;
    if (peers.length > 0 && this.behindPeers(peers, progress)) {
      patience *= 2;
      if (idle < patience) return CONTINUE;
    }
    const sigma = noiseScale(ys, 0, ys.length - 1);
    return {
      kind: 'stop',
      reason: 'plateau',
      detail:
        `no ${SMOOTH_EVALS}-eval mean above the best by ${IMPROVEMENT_SIGMAS}σ/√${SMOOTH_EVALS} ` +
        `(σ = ${sigma.toPrecision(3)}) for ${pct(idle)} of the budget; ` +
        `trend adds ${(slope * remaining).toPrecision(3)} by the budget (tolerance ${this.tolerance})`,
    };
  }

  /** Whether this run's best so far is below the median of the peers' best at the same budget fraction. */
  private behindPeers(peers: readonly PeerRun[], progress: number): boolean {
    const bests: number[] = [];
    for (const peer of peers) {
      const budget = peer.budgetTokens;
      const lastEval = peer.evals[peer.evals.length - 1];
      if (!(budget > 0) || lastEval === undefined || lastEval.tokens / budget < progress - FRACTION_EPS)
        continue;
      let best = Number.NEGATIVE_INFINITY;
      for (const e of peer.evals) {
        if (e.tokens / budget > progress + FRACTION_EPS) break;
        const g = toGain(e.value, this.mode);
        if (g > best) best = g;
      }
      if (best > Number.NEGATIVE_INFINITY) bests.push(best);
    }
    if (bests.length === 0) return false;
    return this.maxGain < nanPercentile(bests, 50);
  }
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function createThresholdPolicy(options: ThresholdOptions, run: RunInfo): StoppingPolicy {
  return new ThresholdPolicy(options, run);
}
