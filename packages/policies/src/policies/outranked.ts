import {
  CONTINUE,
  type DecideInput,
  type Decision,
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

/** Running best (oriented) of each peer, extended as its evals grow (peers' evals only append). */
const prefixBest = new WeakMap<PeerRun, { sign: number; best: number[] }>();

function bestOf(peer: PeerRun, sign: number): number[] {
  let cached = prefixBest.get(peer);
  if (!cached || cached.sign !== sign || cached.best.length > peer.evals.length) {
    cached = { sign, best: [] };
    prefixBest.set(peer, cached);
  }
  const best = cached.best;
  for (let i = best.length; i < peer.evals.length; i++) {
    const v = sign * (peer.evals[i]?.value ?? Number.NaN);
    const before = i > 0 ? (best[i - 1] as number) : Number.NEGATIVE_INFINITY;
    best.push(Number.isNaN(v) ? before : Math.max(before, v));
  }
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
 * Across an experiment (auto): stops a run that, at its point of the budget, stands lower among
 * the experiment's runs than history says a run that ends near the best ever stood. From each of
 * `fractions` on, the run's best so far is ranked against every peer that has reached the first
 * rung, each by its best so far up to the same fraction of its own budget (or up to its last eval,
 * if it has not got that far or has stopped: such peers can only stand lower, so the rule errs on
 * the side of going on). Of n runs so ranked, the top `max(floor(n · share), 1)` go on, `share`
 * being the one learned for the latest fraction reached (`progressKeepShares`). Stop reason
 * `outranked`. It keeps no state: every decision is made from the evals visible when it is made.
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
      let mine = Number.NEGATIVE_INFINITY;
      for (const e of evals) if (sign * e.value > mine) mine = sign * e.value;
      let n = 1;
      let ahead = 0;
      for (const peer of peers) {
        if (!(peer.budgetTokens > 0)) continue;
        const latest = peer.evals[peer.evals.length - 1];
        // Only peers that have reached the first rung stand anywhere yet.
        if (!latest || latest.tokens < settings.fromFraction * peer.budgetTokens * (1 - TOKENS_EPS)) continue;
        n++;
        const upTo = evalsUpTo(peer, progress * peer.budgetTokens * (1 + TOKENS_EPS));
        const best = bestOf(peer, sign)[Math.max(upTo, 1) - 1] as number;
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
