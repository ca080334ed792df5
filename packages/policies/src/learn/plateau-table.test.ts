import { describe, expect, it } from 'vitest';
import type { Curve } from '../replay/curve';
import { gridTolerance, plateauRiskTable, plateauStops, plateauTables } from './plateau-table';

/** A run of `task` with ten evals of `values` (100 tokens apart, budget 1,000). */
const run = (task: string, i: number, values: number[], mode: Curve['mode'] = 'max'): Curve => ({
  id: `${task}/${i}`,
  task,
  group: task,
  metric: 'm',
  mode,
  budgetTokens: 1_000,
  features: { family: 'f' },
  evals: values.map((value, k) => ({ step: k + 1, tokens: (k + 1) * 100, value })),
  source: `${task}/${i}`,
});

describe('plateau tables', () => {
  // Peaks at 0.8 by 300 tokens, then a late gain of 0.01 at 900: a 0.3 window stops it at 600
  // (best unchanged since 300), losing 0.01. The flat run stops at 500 and loses nothing.
  const late = [0.5, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.81, 0.8];
  const flat = [0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];

  it('finds the same stop for every tolerance in one pass: a larger tolerance stops no later', () => {
    const [never, w3] = plateauStops(run('a', 0, late), [1, 0.3], [0.001, 0.05, 0.2]);
    expect([...(never ?? [])]).toEqual([9, 9, 9]);
    // At 500 tokens the best (0.8) is 0.1 above the best up to 200 (0.7): within 0.2, not 0.05;
    // at 600 it is 0 above the best up to 300.
    expect([...(w3 ?? [])]).toEqual([5, 5, 4]);
  });

  it('scores each task by the mean loss of its runs and each group by its leading runs’ largest loss', () => {
    const curves = [run('a', 0, late), run('a', 1, flat), run('b', 0, flat), run('b', 1, flat)];
    const tables = plateauTables(curves);
    const q = tables.tolerances.indexOf(0.005);
    const w = tables.windows.indexOf(0.3);
    const a = tables.tasks.indexOf('a');
    expect(tables.runs[q]?.[a]?.[w]).toBeCloseTo(0.005, 9);
    expect(tables.leaders[q]?.[tables.groups.indexOf('a')]?.[w]).toBeCloseTo(0.01, 9);
    expect(tables.runs[q]?.[tables.tasks.indexOf('b')]?.[w]).toBe(0);
    // The window that never stops loses nothing and saves nothing.
    expect(tables.runs[q]?.[a]?.[0]).toBe(0);
    expect(tables.runSaved[q]?.[a]?.[0]).toBe(0);
    // The peaked run stops at 600 tokens, the flat one at 500: 1,100 of 2,000.
    expect(tables.runSaved[q]?.[a]?.[w]).toBeCloseTo(1 - 1_100 / 2_000, 9);
  });

  it('runs a tolerance off the grid at the grid point below it, and none below the grid', () => {
    const tables = plateauTables([run('a', 0, late)]);
    expect(gridTolerance(tables, 0.004)).toBe(0.003);
    expect(gridTolerance(tables, 0.005)).toBe(0.005);
    expect(gridTolerance(tables, 0.0001)).toBeNull();
    expect(plateauRiskTable(tables, 0.0001, 'runs')).toBeNull();
    const at = plateauRiskTable(tables, 0.006, 'leaders');
    expect(at?.gain).toBe(0.005);
    expect(at?.table.units.map((u) => u.name)).toEqual(['a']);
    expect(at?.table.params).toEqual(tables.windows);
  });
});
