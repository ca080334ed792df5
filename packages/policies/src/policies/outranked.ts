import { evalsUpTo, runningBest } from '../peer-evals';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type Mode,
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
        const upTo = evalsUpTo(peer.evals, progress * peer.budgetTokens * (1 + TOKENS_EPS));
        // A peer whose first eval lies beyond this point of its budget does not stand here yet.
        if (upTo === 0) continue;
        n++;
        const best = runningBest(peer.evals, sign)[upTo - 1] as number;
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
