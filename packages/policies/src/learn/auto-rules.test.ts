import { describe, expect, it } from 'vitest';
import { stubStopModel } from '../test-support';
import { autoRules, kindWeights } from './auto-rules';
import { FALLBACK_SHARE } from './halving-table';
import type { PlateauTables } from './plateau-table';
import type { RiskTable } from './risk-control';

/** Halving history of `n` groups of kind `kind`, each losing `losses[s]` at share s (1, 0.5, 0.25). */
function halving(
  n: number,
  kind: string,
  losses: number[],
  offset = 0,
): { table: RiskTable; kinds: Record<string, string> } {
  const names = Array.from({ length: n }, (_, g) => `${kind}/${g + offset}`);
  return {
    table: {
      params: [1, 0.5, 0.25],
      units: names.map((name) => ({ name, losses: losses.map((l) => [l, l, l]), saved: [0, 0.5, 0.75] })),
    },
    kinds: Object.fromEntries(names.map((n) => [n, kind])),
  };
}

/** Plateau history where every task and group loses `loss(window)` at every tolerance. */
function plateau(tasks: string[], windows: number[], loss: (w: number) => number): PlateauTables {
  const tolerances = [0.001, 0.0025, 0.005, 0.01];
  const byTask = () => tolerances.map(() => tasks.map(() => windows.map(loss)));
  return { tolerances, windows, tasks, groups: tasks, runs: byTask(), runSaved: byTask(), leaders: byTask() };
}

describe('kindWeights', () => {
  const a = halving(10, 'a', [0, 0, 0]);
  const b = halving(5, 'b', [0, 0, 0]);
  const table: RiskTable = { params: a.table.params, units: [...a.table.units, ...b.table.units] };
  const kinds = { ...a.kinds, ...b.kinds };

  it('weighs only the task’s own kind when history holds enough of it, else all of history', () => {
    expect(kindWeights(table, kinds, 'a')).toEqual([...Array(10).fill(1), ...Array(5).fill(0)]);
    expect(kindWeights(table, kinds, 'b')).toEqual(Array(15).fill(1));
    expect(kindWeights(table, kinds, 'unseen')).toEqual(Array(15).fill(1));
    expect(kindWeights(table, kinds, '')).toEqual(Array(15).fill(1));
  });
});

describe('autoRules', () => {
  const t = 0.01;

  it('keeps the plain share and stops nothing alone without tables (no history, or an older model)', () => {
    for (const model of [
      null,
      stubStopModel(),
      { ...stubStopModel(), format: 'curfew-stop-model/1' as never },
    ]) {
      const rules = autoRules(model, t, 'a');
      expect(rules).toMatchObject({ halvingLearned: false, single: null, survivors: null });
      expect(rules.halving.keepShare).toBe(FALLBACK_SHARE);
      expect(rules.halving.minKeep).toBe(2);
    }
  });

  it('takes the smallest share history bounds, from the task’s own kind, with all of t when no plateau rule applies', () => {
    // Kind a loses 0.4 t at share 0.5 and 0.9 t at 0.25; kind b loses 3 t at 0.5.
    const a = halving(12, 'a', [0, 0.4 * t, 0.9 * t]);
    const b = halving(12, 'b', [0, 3 * t, 3 * t]);
    const model = stubStopModel({
      halving: { params: a.table.params, units: [...a.table.units, ...b.table.units] },
      kinds: { tasks: {}, groups: { ...a.kinds, ...b.kinds } },
    });
    expect(autoRules(model, t, 'a')).toMatchObject({ halvingLearned: true, halving: { keepShare: 0.25 } });
    expect(autoRules(model, t, 'b')).toMatchObject({ halvingLearned: true, halving: { keepShare: 1 } });
    // Pooled, for a kind history has not seen: half the groups lose 3 t at 0.5.
    expect(autoRules(model, t, 'c').halving.keepShare).toBe(1);
  });

  it('gives the survivors’ plateau rule half of t, and halving the other half', () => {
    const names = Array.from({ length: 12 }, (_, g) => `a/${g}`);
    const a = halving(12, 'a', [0, 0.4 * t, 0.9 * t]);
    // Plateau losses: 0 for windows ≥ 0.5, 0.3 t-at-0.005 for 0.25.
    const model = stubStopModel({
      halving: a.table,
      plateau: plateau(names, [1, 0.5, 0.25], (w) => (w >= 0.5 ? 0 : 0.0015)),
      kinds: { tasks: a.kinds, groups: a.kinds },
    });
    const rules = autoRules(model, t, 'a');
    // Halving at t/2 = 0.005: 0.9 t = 0.009 is over it, 0.4 t = 0.004 within.
    expect(rules.halving.keepShare).toBe(0.5);
    expect(rules.survivors).toEqual({ window: 0.25, gain: 0.005 });
    expect(rules.single).toEqual({ window: 0.25, gain: 0.01 });
    // Below the grid no plateau rule stops anything.
    expect(autoRules(model, 0.0005, 'a')).toMatchObject({ single: null, survivors: null });
  });
});
