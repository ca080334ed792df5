import { describe, expect, it } from 'vitest';
import type { Curve } from '../replay/curve';
import {
  HALVING_CONDITIONS,
  HALVING_SCHEDULES,
  HALVING_SHARES,
  halvingSchedules,
  halvingTable,
  MAX_GROUP_RUNS,
} from './halving-table';

/** Run i of `group`: it learns to `end` by the budget, at speed `speed` (slow starters rise late). */
function run(group: string, i: number, end: number, speed: number): Curve {
  return {
    id: `${group}/${i}`,
    task: group,
    group,
    metric: 'acc',
    mode: 'max',
    budgetTokens: 2_700,
    features: { family: 'f' },
    evals: Array.from({ length: 27 }, (_, k) => ({
      step: k + 1,
      tokens: (k + 1) * 100,
      value: 0.1 + (end - 0.1) * (1 - Math.exp(-speed * (k + 1))),
    })),
    source: `${group}/${i}`,
  };
}

describe('halving table', () => {
  // Twelve fast starters ending near 0.7; the slow starter ends best, at 0.886 (0.39 at 1/9 of
  // its budget, when the others stand at about 0.57).
  const group = [
    ...Array.from({ length: 12 }, (_, i) => run('g', i, 0.7 - 0.001 * i, 0.5)),
    run('g', 12, 0.9, 0.15),
  ];
  const best = 0.1 + 0.8 * (1 - Math.exp(-0.15 * 27));
  const table = halvingTable(group);
  const unit = table.units[0];

  it('replays each group in every condition at every share: no regret at share 1, the slow best run lost at small shares', () => {
    expect(table.params).toEqual(HALVING_SHARES);
    expect(unit?.losses.map((l) => l.length)).toEqual(HALVING_SHARES.map(() => HALVING_CONDITIONS.length));
    expect(unit?.losses[0]).toEqual(HALVING_CONDITIONS.map(() => 0));
    expect(unit?.saved[0]).toBe(0);
    const smallest = unit?.losses.at(-1) ?? [];
    expect(Math.max(...smallest)).toBeCloseTo(best - 0.7, 4);
    expect(unit?.saved.at(-1)).toBeGreaterThan(0.3);
  });

  it(`scores a group of more than ${MAX_GROUP_RUNS} runs on a seeded sample of them`, () => {
    const big = Array.from({ length: MAX_GROUP_RUNS + 30 }, (_, i) =>
      run('big', i, 0.5 + (i % 7) * 0.01, 0.3),
    );
    const first = halvingTable(big);
    expect(first.units).toHaveLength(1);
    expect(halvingTable(big)).toEqual(first);
  });

  it('replays the group at each other rung schedule: stopping from 1/81 loses the slow best run there too', () => {
    const schedules = halvingSchedules(group);
    expect(schedules.map((s) => s.rungs)).toEqual(HALVING_SCHEDULES);
    for (const { table: at } of schedules) {
      expect(at.params).toEqual(HALVING_SHARES);
      expect(at.units[0]?.losses[0]).toEqual(HALVING_CONDITIONS.map(() => 0));
    }
    const early = schedules.find((s) => s.rungs[0] === 1 / 81)?.table.units[0];
    expect(Math.max(...(early?.losses.at(-1) ?? []))).toBeCloseTo(best - 0.7, 4);
    // Each schedule is replayed at its own rungs: from 1/16 the runs are stopped elsewhere.
    const late = schedules.find((s) => s.rungs[0] === 1 / 16)?.table.units[0];
    expect(late?.saved.at(-1)).toBeCloseTo(0.5817, 4);
    expect(unit?.saved.at(-1)).toBeCloseTo(0.5755, 4);
  });
});
