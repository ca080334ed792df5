import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLATEAU_WINDOWS, plateauStops, TOLERANCE_GRID } from '../learn/plateau-table';
import { parseCurveFile } from '../replay/curve-format';
import { devCurvesFile, firstStop } from '../test-support';
import type { EvalPoint, RunInfo } from '../types';
import { createPlateauPolicy } from './plateau';

const BUDGET = 1_000;
const run: RunInfo = { id: 'r', budgetTokens: BUDGET, mode: 'max' };
const curve = (values: number[]): EvalPoint[] =>
  values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 100, value }));

describe('plateau', () => {
  it('stops once the best so far has gained no more than `gain` over the last `window` of the budget', () => {
    // Best so far: 0.5 at 200, 0.6 at 300, then 0.603 at 500. Over the last 0.3 of the budget:
    // at 500 the gain since 200 is 0.103; at 600, since 300, 0.003 ≤ 0.005.
    const evals = curve([0.3, 0.5, 0.6, 0.59, 0.603, 0.6, 0.58, 0.7, 0.7, 0.7]);
    const stop = firstStop(createPlateauPolicy(run, { mode: 'max', window: 0.3, gain: 0.005 }), evals);
    expect(stop?.index).toBe(5);
    expect(stop?.decision).toMatchObject({ kind: 'stop', reason: 'plateau' });
  });

  it('never stops a run still gaining more than `gain` per window, nor before `window` of the budget', () => {
    const rising = curve([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]);
    expect(firstStop(createPlateauPolicy(run, { mode: 'max', window: 0.2, gain: 0.005 }), rising)).toBeNull();
    // Flat from 0.2 of the budget on: at 0.4 the best is no higher than at 0.2.
    const flat = curve([0.2, 0.5, 0.5, 0.5, 0.5]);
    expect(firstStop(createPlateauPolicy(run, { mode: 'max', window: 0.2, gain: 0.005 }), flat)?.index).toBe(
      3,
    );
    // A window of 1 is the rule that never stops.
    expect(firstStop(createPlateauPolicy(run, { mode: 'max', window: 1, gain: 1 }), flat)).toBeNull();
  });

  it('never stops a run still at chance, however flat: it has not started learning', () => {
    // EM at chance (≤ 0.014, like kv-qa's first evals), then the jump it would have missed.
    const atChance = curve([0.002, 0.01, 0.006, 0.012, 0.008, 0.01, 0.9, 0.95, 0.96, 0.96]);
    const settings = { mode: 'max' as const, window: 0.2, gain: 0.02 };
    expect(firstStop(createPlateauPolicy(run, settings), atChance)?.index).toBe(9);
    // Without the guard it would have stopped at chance.
    expect(firstStop(createPlateauPolicy(run, { ...settings, chanceShare: 0 }), atChance)?.index).toBe(2);
  });

  it('reads a loss the other way round: smaller is better, in the loss’s own units', () => {
    // At 500 tokens the best, 3.2893, is 0.0007 below the best up to 300 (3.29).
    const loss = curve([3.5, 3.3, 3.29, 3.2895, 3.2893, 3.289]);
    expect(
      firstStop(createPlateauPolicy({ ...run, mode: 'min' }, { mode: 'min', window: 0.2, gain: 0.005 }), loss)
        ?.index,
    ).toBe(4);
    // In nats a 0.005 plateau is reached; at a tolerance of 0.0001 it is not.
    expect(
      firstStop(
        createPlateauPolicy({ ...run, mode: 'min' }, { mode: 'min', window: 0.2, gain: 0.0001 }),
        loss,
      ),
    ).toBeNull();
  });

  it('decides after a restore exactly as it would have without one', () => {
    const evals = curve([0.3, 0.5, 0.6, 0.59, 0.6, 0.6, 0.58, 0.7, 0.7, 0.7]);
    const settings = { mode: 'max' as const, window: 0.3, gain: 0.001 };
    const straight = createPlateauPolicy(run, settings);
    const resumed = createPlateauPolicy(run, settings);
    for (let i = 0; i < evals.length; i++) {
      const input = { evals: evals.slice(0, i + 1), peers: [] };
      const expected = straight.decide(input);
      if (i === 4) {
        const fresh = createPlateauPolicy(run, settings);
        fresh.restore(JSON.parse(JSON.stringify(resumed.snapshot())));
        expect(fresh.decide(input)).toEqual(expected);
        resumed.decide(input);
        expect(fresh.snapshot()).toEqual(resumed.snapshot());
      } else {
        expect(resumed.decide(input)).toEqual(expected);
      }
    }
    expect(() => createPlateauPolicy(run, settings).restore({ seen: 1, best: 0, from: 'x' })).toThrow(/from/);
  });

  it('stops where the history tables say it does, on real curves (one rule, two implementations)', () => {
    const file = devCurvesFile('algoperf.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const curves = parseCurveFile(lines.filter((_, i) => i % 97 === 0).join('\n'), file);
    expect(curves.length).toBeGreaterThan(10);
    for (const c of curves) {
      const stops = plateauStops(c, PLATEAU_WINDOWS, TOLERANCE_GRID);
      PLATEAU_WINDOWS.forEach((window, w) => {
        for (const q of [2, 6, 10]) {
          const gain = TOLERANCE_GRID[q] as number;
          const policy = createPlateauPolicy(
            { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode },
            { mode: c.mode, window, gain },
          );
          const stop = firstStop(policy, c.evals)?.index ?? c.evals.length - 1;
          expect(stop, `${c.id} window ${window} gain ${gain}`).toBe(stops[w]?.[q]);
        }
      });
    }
  });
});
