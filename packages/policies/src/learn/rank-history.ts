import type { Curve } from '../replay/curve';

/**
 * What a run's standing among its group's runs at a point of the budget said, in history, about
 * ending near the group's best. A run's standing at budget fraction f is, by `statistic`:
 * - `value-at`: its value at its first eval at or beyond f of its budget (what a successive-halving
 *   rung compares); runs without one are left out there;
 * - `best-so-far`: its best value over its evals up to f of its budget; runs that stopped before f,
 *   or have no eval by f, are left out.
 *
 * Per group (an experiment; in curve files, a task's runs) and fraction, for the runs ending
 * within `RANK_GAP` of the best of the group's runs standing there: `gap` = the group's best − the run's best, and `keep` =
 * (runs standing higher + 1) / runs standing, the smallest share of runs that, kept by standing,
 * keeps it. Only the front is stored: entries by increasing gap whose `keep` is below every
 * earlier one (a tolerance t needs the least `keep` with gap ≤ t). A group with fewer than
 * `RANK_MIN_RUNS` runs standing at any of the fractions is left out: it cannot show a share that
 * small.
 *
 * A cluster's history holds only runs that trained to their budget (the survivors of earlier
 * stops), so its groups rank near-best runs among stronger company than a live experiment: the
 * shares learned from it err on the side of keeping more.
 */
export interface RankHistory {
  statistic: RankStatistic;
  fractions: number[];
  /** Per group, per fraction: the (gap, keep) front. */
  groups: { gap: number; keep: number }[][][];
}

export type RankStatistic = 'value-at' | 'best-so-far';

/** Runs further than this behind their group's best are not kept: tolerances above it count as it. */
export const RANK_GAP = 0.05;
const RANK_MIN_RUNS = 9;
/** Relative slack on token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;

/** A run's standing (oriented: larger is better) at `fraction` of its budget, or undefined. */
function standing(c: Curve, fraction: number, statistic: RankStatistic): number | undefined {
  const sign = c.mode === 'max' ? 1 : -1;
  const limit = fraction * c.budgetTokens;
  if (statistic === 'value-at') {
    const e = c.evals.find((x) => x.tokens >= limit * (1 - TOKENS_EPS));
    return e === undefined || Number.isNaN(e.value) ? undefined : sign * e.value;
  }
  // Like a live peer, a run stands by its best so far only once it has got that far.
  const lastEval = c.evals[c.evals.length - 1];
  if (lastEval === undefined || lastEval.tokens < limit * (1 - TOKENS_EPS)) return undefined;
  let best: number | undefined;
  for (const e of c.evals) {
    if (e.tokens > limit * (1 + TOKENS_EPS)) break;
    if (!Number.isNaN(e.value) && (best === undefined || sign * e.value > best)) best = sign * e.value;
  }
  return best;
}

export function rankHistoryOf(
  curves: readonly Curve[],
  fractions: readonly number[],
  statistic: RankStatistic,
): RankHistory {
  const byGroup = new Map<string, Curve[]>();
  for (const c of curves) {
    const group = byGroup.get(c.group);
    if (group) group.push(c);
    else byGroup.set(c.group, [c]);
  }
  const groups: RankHistory['groups'] = [];
  for (const members of byGroup.values()) {
    const finals = members.map((c) => {
      const sign = c.mode === 'max' ? 1 : -1;
      let best = Number.NEGATIVE_INFINITY;
      for (const e of c.evals) if (sign * e.value > best) best = sign * e.value;
      return best;
    });
    const perFraction: { gap: number; keep: number }[][] = [];
    let enough = true;
    for (const fraction of fractions) {
      const stood: { at: number; best: number }[] = [];
      members.forEach((c, j) => {
        const at = standing(c, fraction, statistic);
        if (at !== undefined) stood.push({ at, best: finals[j] as number });
      });
      if (stood.length < RANK_MIN_RUNS) {
        enough = false;
        break;
      }
      // The best among the runs that stand: a rule that ranks them can keep no other.
      const groupBest = Math.max(...stood.map((r) => r.best));
      const near = stood
        .filter((r) => groupBest - r.best <= RANK_GAP)
        .map((r) => ({
          gap: groupBest - r.best,
          keep: (stood.filter((o) => o.at > r.at).length + 1) / stood.length,
        }))
        .sort((x, y) => x.gap - y.gap || x.keep - y.keep);
      const front: { gap: number; keep: number }[] = [];
      for (const r of near)
        if (front.length === 0 || r.keep < (front.at(-1) as { keep: number }).keep) front.push(r);
      perFraction.push(front);
    }
    if (enough) groups.push(perFraction);
  }
  return { statistic, fractions: [...fractions], groups };
}

/**
 * Per fraction, the share of runs to keep by standing so that, in every history group, a run that
 * ended within `tolerance` of the group's best is kept: the largest over groups of each group's
 * least `keep` within the tolerance. Null when fewer than two groups are large enough to tell.
 */
export function neededShares(history: RankHistory, tolerance: number): number[] | null {
  if (history.groups.length < 2) return null;
  const within = Math.min(tolerance, RANK_GAP);
  return history.fractions.map((_, k) => {
    let needed = 0;
    for (const group of history.groups) {
      let share = 1;
      for (const r of group[k] ?? []) if (r.gap <= within && r.keep < share) share = r.keep;
      needed = Math.max(needed, share);
    }
    return needed;
  });
}
