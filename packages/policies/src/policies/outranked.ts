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

/** Relative slack on token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;

export interface OutrankedSettings {
  mode: Mode;
  /** A peer counts once it has reached this fraction of its budget (the first rung). */
  fromFraction: number;
  /** Budget fractions, increasing, and the share of runs kept by best so far from each on. */
  fractions: readonly number[];
  shares: readonly number[];
}

/**
 * Running best (oriented) of a peer's evals, by its evals array, extended as the array grows (a
 * replay appends to the same array): reset when the array is shorter than what was seen or its
 * last seen eval is another object (it was rewritten).
 */
const prefixBest = new WeakMap<
  readonly EvalPoint[],
  { sign: number; best: number[]; last: EvalPoint | undefined }
>();

function bestOf(evals: readonly EvalPoint[], sign: number): number[] {
  let cached = prefixBest.get(evals);
  const n = cached?.best.length ?? 0;
  if (!cached || cached.sign !== sign || n > evals.length || (n > 0 && evals[n - 1] !== cached.last)) {
    cached = { sign, best: [], last: undefined };
    prefixBest.set(evals, cached);
  }
  const best = cached.best;
  for (let i = best.length; i < evals.length; i++) {
    const v = sign * (evals[i]?.value ?? Number.NaN);
    const before = i > 0 ? (best[i - 1] as number) : Number.NEGATIVE_INFINITY;
    best.push(Number.isNaN(v) ? before : Math.max(before, v));
  }
  cached.last = evals[evals.length - 1];
  return best;
}

/** Number of a peer's evals with tokens ≤ `limit` (evals are oldest first). */
function evalsUpTo(peer: PeerRun, limit: number): number {
  let lo = 0;
  let hi = peer.evals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((peer.evals[mid]?.tokens ?? Number.POSITIVE_INFINITY) <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Across an experiment (auto): stops a run that, at a point of its budget, stands lower among the
 * experiment's runs than history says a run that ends near the best ever stood there. At its first
 * eval at or past each of `fractions`, the run's best so far is ranked against every peer that has
 * reached the first rung and has an eval by the same fraction of its own budget, each by its best
 * so far up to that fraction (or up to its last eval, if it has stopped or not got that far: such
 * peers can only stand lower, so the rule errs on the side of going on). Of n runs so ranked, the
 * top `max(floor(n · share), 1)` go on, `share` being the one learned for that fraction
 * (`progressKeepShares`). Stop reason `outranked`. It keeps no state: each decision is made from
 * the evals visible when it is made.
 */
export function createOutrankedPolicy(run: RunInfo, settings: OutrankedSettings): StoppingPolicy {
  const sign = settings.mode === 'max' ? 1 : -1;
  return {
    name: 'outranked',
    decide({ evals, peers }: DecideInput): Decision {
      const last = evals[evals.length - 1];
      if (last === undefined || peers.length === 0) return CONTINUE;
      const progress = last.tokens / run.budgetTokens;
      let k = -1;
      while (
        k + 1 < settings.fractions.length &&
        progress >= (settings.fractions[k + 1] as number) * (1 - TOKENS_EPS)
      )
        k++;
      const share = settings.shares[k];
      if (share === undefined || share >= 1) return CONTINUE;
      // Judged once per fraction, at the run's first eval at or past it (where history ranked runs).
      const previous = evals[evals.length - 2];
      const from = (settings.fractions[k] as number) * run.budgetTokens * (1 - TOKENS_EPS);
      if (previous && previous.tokens >= from) return CONTINUE;
      let mine = Number.NEGATIVE_INFINITY;
      for (const e of evals) if (sign * e.value > mine) mine = sign * e.value;
      let n = 1;
      let ahead = 0;
      for (const peer of peers) {
        if (!(peer.budgetTokens > 0)) continue;
        const latest = peer.evals[peer.evals.length - 1];
        // Only peers that have reached the first rung stand anywhere yet.
        if (!latest || latest.tokens < settings.fromFraction * peer.budgetTokens * (1 - TOKENS_EPS)) continue;
        const upTo = evalsUpTo(peer, progress * peer.budgetTokens * (1 + TOKENS_EPS));
        // A peer whose first eval lies beyond this point of its budget does not stand here yet.
        if (upTo === 0) continue;
        n++;
        const best = bestOf(peer.evals, sign)[upTo - 1] as number;
        if (best > mine) ahead++;
      }
      const keep = Math.max(Math.floor(n * share + 1e-9), 1);
      if (ahead < keep) return CONTINUE;
      return {
        kind: 'stop',
        reason: 'outranked',
        detail:
          `${ahead} of ${n} runs are ahead of its best ${sign * mine} at ${progress.toPrecision(3)} of the ` +
          `budget; runs that ended near the best stood in the top ${share.toPrecision(3)}`,
      };
    },
    snapshot: () => ({}),
    restore: () => undefined,
  };
}
