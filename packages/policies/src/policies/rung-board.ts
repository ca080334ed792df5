import { firstEvalAtOrAfter, runningBest } from '../peer-evals';
import type { EvalPoint, Mode, PeerRun } from '../types';
import { leftChance } from './left-chance';

/** Relative slack on token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;

/** Where a peer stands at a rung: its best so far at its rung eval (oriented), and whether it had left chance. */
export interface RungStanding {
  standing: number;
  leftChance: boolean;
}

export interface RungBoard {
  /** The peer's standing at rung `k`, or undefined while it has not reached the rung. */
  at(peer: PeerRun, k: number): RungStanding | undefined;
}

interface PeerEntry {
  budgetTokens: number;
  /** Evals seen when the entry was last brought up to date, and the last of them (to notice rewrites). */
  seen: number;
  last: EvalPoint | undefined;
  standings: (RungStanding | undefined)[];
}

export interface RungBoardSettings {
  mode: Mode;
  rungs: readonly number[];
  chanceShare: number;
}

/**
 * Peers' standings at halving rungs, computed once per peer and rung and shared by every run
 * deciding with the same settings: a peer's standing at a rung never changes once it has
 * reached it (its later evals do not move its best up to the rung eval), so a decision costs one
 * lookup per peer, not a search through its evals. Entries are keyed by the peer's evals array
 * (replays and live services append to it) and rebuilt when it is shorter than before or its
 * last seen eval was replaced.
 */
export function rungBoard(settings: RungBoardSettings): RungBoard {
  const sign = settings.mode === 'max' ? 1 : -1;
  const key = `${settings.mode}|${settings.chanceShare}|${settings.rungs.join(',')}`;
  let entries = boards.get(key);
  if (!entries) {
    entries = new WeakMap();
    boards.set(key, entries);
  }
  const cache = entries;
  const update = (peer: PeerRun): PeerEntry => {
    const evals = peer.evals;
    let entry = cache.get(evals);
    if (
      !entry ||
      entry.budgetTokens !== peer.budgetTokens ||
      entry.seen > evals.length ||
      (entry.seen > 0 && evals[entry.seen - 1] !== entry.last)
    ) {
      entry = { budgetTokens: peer.budgetTokens, seen: 0, last: undefined, standings: [] };
      cache.set(evals, entry);
    }
    if (entry.seen === evals.length) return entry;
    const latest = evals[evals.length - 1] as EvalPoint;
    while (entry.standings.length < settings.rungs.length) {
      const limit = (settings.rungs[entry.standings.length] as number) * peer.budgetTokens * (1 - TOKENS_EPS);
      if (latest.tokens < limit) break;
      const i = firstEvalAtOrAfter(evals, limit);
      const standing = runningBest(evals, sign)[i] as number;
      entry.standings.push({
        standing,
        leftChance: leftChance(evals[0]?.value ?? Number.NaN, standing, settings.mode, settings.chanceShare),
      });
    }
    entry.seen = evals.length;
    entry.last = latest;
    return entry;
  };
  return {
    at(peer, k) {
      if (!(peer.budgetTokens > 0) || peer.evals.length === 0) return undefined;
      return update(peer).standings[k];
    },
  };
}

const boards = new Map<string, WeakMap<readonly EvalPoint[], PeerEntry>>();
