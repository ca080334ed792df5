import { CHANCE_SHARE } from '../policies/left-chance';
import { createRobustHalvingPolicy } from '../policies/robust-halving';
import type { Curve } from '../replay/curve';
import { replay } from '../replay/replay';
import { shuffledRuns } from '../replay/run-order';
import { gain } from '../types';
import type { RiskTable } from './risk-control';

/** Rungs of `auto`'s halving across an experiment: η = 3 from 1/27 of the budget. */
export const HALVING_RUNGS: readonly number[] = [1 / 27, 1 / 9, 1 / 3];

/**
 * The other rung schedules `auto` may halve at, where history bounds one of them and it saved more
 * than `HALVING_RUNGS` (`learn/auto-rules.ts`): η = 4 from 1/16 and from 1/64, η = 3 from 1/81.
 * Chosen in hindsight on the dev curves, one of these per kind saved up to 14 points more on
 * accuracy and WER curves (bench/README.md, "What experiment scope can reach at all").
 */
export const HALVING_SCHEDULES: readonly (readonly number[])[] = [
  [1 / 16, 1 / 4],
  [1 / 64, 1 / 16, 1 / 4],
  [1 / 81, 1 / 27, 1 / 9, 1 / 3],
];

/** What halving at one rung schedule lost on history, per keep share (`halvingTable`). */
export interface HalvingSchedule {
  rungs: number[];
  table: RiskTable;
}

/**
 * Shares of the runs standing at a rung that go on, conservative first (1: none is stopped). The
 * plain successive-halving share 1/3 is the fallback where history cannot support the tolerance.
 */
export const HALVING_SHARES: readonly number[] = [
  1,
  0.75,
  0.5,
  0.4,
  1 / 3,
  0.28,
  0.23,
  0.19,
  0.16,
  0.13,
  1 / 9,
  0.09,
  0.07,
  0.05,
];
export const FALLBACK_SHARE = 1 / 3;
export const MIN_KEEP = 2;
export { CHANCE_SHARE } from '../policies/left-chance';

/**
 * Run orders and worker counts each history group is replayed in: a group's loss under a share is
 * its regret in each of them, since a live experiment may start its runs in any order on any
 * number of workers. Six orders, two per worker count: with three, a group that loses in one
 * order in six (one crossing of its leading runs) was as often seen losing nothing.
 */
export const HALVING_CONDITIONS: readonly { workers: number; seed: number }[] = [
  { workers: 1, seed: 1 },
  { workers: 8, seed: 2 },
  { workers: 32, seed: 3 },
  { workers: 1, seed: 4 },
  { workers: 8, seed: 5 },
  { workers: 32, seed: 6 },
];

/** Best-of-experiment regret per group of `curves` given where each run stopped. */
function groupRegrets(curves: readonly Curve[], stopIndex: ReadonlyMap<string, number>) {
  const byGroup = new Map<string, { full: number; deployed: number; used: number; budget: number }>();
  for (const c of curves) {
    const sign = c.mode === 'max' ? 1 : -1;
    const k = stopIndex.get(c.id) ?? c.evals.length - 1;
    let full = Number.NEGATIVE_INFINITY;
    let deployed = Number.NEGATIVE_INFINITY;
    c.evals.forEach((e, i) => {
      full = Math.max(full, sign * e.value);
      if (i <= k) deployed = Math.max(deployed, sign * e.value);
    });
    const g = byGroup.get(c.group) ?? {
      full: Number.NEGATIVE_INFINITY,
      deployed: Number.NEGATIVE_INFINITY,
      used: 0,
      budget: 0,
    };
    g.full = Math.max(g.full, full);
    g.deployed = Math.max(g.deployed, deployed);
    g.used += c.evals[k]?.tokens as number;
    g.budget += c.evals[c.evals.length - 1]?.tokens as number;
    byGroup.set(c.group, g);
  }
  return new Map(
    [...byGroup].map(([group, g]) => [
      group,
      { regret: gain(g.full, g.deployed, 'max'), saved: 1 - g.used / g.budget },
    ]),
  );
}

/**
 * Groups larger than this are scored on a seeded sample of this many of their runs: a smaller
 * experiment of the same task (ranking among fewer runs is no easier), at a cost that grows with
 * the square of the runs.
 */
export const MAX_GROUP_RUNS = 150;

/** Every group's runs, a group larger than `MAX_GROUP_RUNS` cut to a seeded sample of that many. */
function sampleGroups(curves: readonly Curve[]): Curve[] {
  const byGroup = new Map<string, Curve[]>();
  for (const c of curves) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
  return [...byGroup.values()].flatMap((runs) =>
    runs.length <= MAX_GROUP_RUNS ? runs : shuffledRuns(runs, runs.length).slice(0, MAX_GROUP_RUNS),
  );
}

/**
 * What robust halving (`policies/robust-halving.ts`) lost on history at each of `HALVING_SHARES`:
 * per group, its best-of-experiment regret in each of `HALVING_CONDITIONS` (survivors train to
 * their budget), and its mean tokens saved, at the rungs `rungs`. Nothing learned is in the rule,
 * so no group is judged by anything fitted on itself.
 */
export function halvingTable(history: readonly Curve[], rungs: readonly number[] = HALVING_RUNGS): RiskTable {
  const curves = sampleGroups(history);
  const groups = [...new Set(curves.map((c) => c.group))].sort();
  const index = new Map(groups.map((g, i) => [g, i]));
  const regret = groups.map(() => HALVING_SHARES.map((): number[] => []));
  const saved = groups.map(() => HALVING_SHARES.map(() => 0));
  HALVING_SHARES.forEach((share, s) => {
    for (const { workers, seed } of HALVING_CONDITIONS) {
      const order = shuffledRuns(curves, seed);
      // A share of 1 stops nothing: no regret, no tokens saved.
      const outcomes =
        share >= 1
          ? []
          : replay(
              order,
              (c) =>
                createRobustHalvingPolicy(
                  { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode },
                  {
                    mode: c.mode,
                    rungs,
                    keepShare: share,
                    minKeep: MIN_KEEP,
                    chanceShare: CHANCE_SHARE,
                  },
                ),
              { scope: 'experiment', workers },
            );
      const stops = new Map(outcomes.map((o) => [o.id, o.stopIndex]));
      for (const [group, r] of groupRegrets(order, stops)) {
        const g = index.get(group) as number;
        regret[g]?.[s]?.push(r.regret);
        (saved[g] as number[])[s] =
          ((saved[g] as number[])[s] as number) + r.saved / HALVING_CONDITIONS.length;
      }
    }
  });
  return {
    params: [...HALVING_SHARES],
    units: groups.map((name, g) => ({ name, losses: regret[g] as number[][], saved: saved[g] as number[] })),
  };
}

/** `halvingTable` at each of `HALVING_SCHEDULES`. */
export function halvingSchedules(history: readonly Curve[]): HalvingSchedule[] {
  return HALVING_SCHEDULES.map((rungs) => ({ rungs: [...rungs], table: halvingTable(history, rungs) }));
}
