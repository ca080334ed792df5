import { describe, expect, it } from 'vitest';
import type { Curve } from '../replay/curve';
import { replay } from '../replay/replay';
import type { EvalPoint, PeerRun, RunInfo } from '../types';
import { createAshaPolicy } from './asha';
import { createAutoPolicy } from './auto';
import { leftChance } from './left-chance';
import { createRobustHalvingPolicy, type RobustHalvingSettings } from './robust-halving';

const BUDGET = 27_000;
const run: RunInfo = { id: 'me', budgetTokens: BUDGET, mode: 'max' };
const settings: RobustHalvingSettings = {
  mode: 'max',
  rungs: [1 / 27, 1 / 9, 1 / 3],
  keepShare: 1 / 3,
  minKeep: 2,
  chanceShare: 0.05,
};
/** Evals at 500, 1,000 (the first rung), … tokens with these values. */
const evals = (...values: number[]): EvalPoint[] =>
  values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 500, value }));
const peer = (id: string, values: number[]): PeerRun => ({
  id,
  budgetTokens: BUDGET,
  evals: evals(...values),
  finished: false,
});

describe('robust halving', () => {
  it('keeps at least two runs at a rung however few have arrived', () => {
    // Three at the first rung: Optuna's rule keeps the best one; this keeps two, so a run still
    // rising at 0.718 behind one at 0.95 goes on (live, kv-qa lost such a run), and the third stops.
    const peers = [peer('a', [0.3, 0.95]), peer('b', [0.2, 0.5])];
    expect(createRobustHalvingPolicy(run, settings).decide({ evals: evals(0.4, 0.718), peers }).kind).toBe(
      'continue',
    );
    const third = [peer('a', [0.3, 0.95]), peer('b', [0.2, 0.8])];
    expect(
      createRobustHalvingPolicy(run, settings).decide({ evals: evals(0.4, 0.718), peers: third }).kind,
    ).toBe('stop');
  });

  it('keeps the top share of the runs standing at the rung, ranked by best so far', () => {
    const peers = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2].map((v, i) => peer(`p${i}`, [0.1, v]));
    // Nine standing, a third (three) go on: fourth stops, third goes on.
    const fourth = createRobustHalvingPolicy(run, settings).decide({ evals: evals(0.1, 0.65), peers });
    expect(fourth).toMatchObject({ kind: 'stop', reason: 'halving' });
    expect(createRobustHalvingPolicy(run, settings).decide({ evals: evals(0.1, 0.75), peers }).kind).toBe(
      'continue',
    );
    // Its best so far (0.75 at the first eval), not its value at the rung (a dip to 0.2), is what stands.
    expect(createRobustHalvingPolicy(run, settings).decide({ evals: evals(0.75, 0.2), peers }).kind).toBe(
      'continue',
    );
    // A share of 1 stops nothing.
    expect(
      createRobustHalvingPolicy(run, { ...settings, keepShare: 1 }).decide({ evals: evals(0.1, 0.11), peers })
        .kind,
    ).toBe('continue');
  });

  it('ranks only against peers that have reached the rung, and judges a run once per rung', () => {
    const early = [peer('a', [0.9]), peer('b', [0.8]), peer('c', [0.7])];
    const policy = createRobustHalvingPolicy(run, settings);
    expect(policy.decide({ evals: evals(0.1, 0.3), peers: early }).kind).toBe('continue');
    // Peers reaching the rung later do not reopen it; the next rung (3,000 tokens) judges again.
    const later = early.map((p) => peer(p.id, [0.2, (p.evals[0]?.value ?? 0) + 0.05]));
    expect(policy.decide({ evals: evals(0.1, 0.3, 0.31), peers: later }).kind).toBe('continue');
  });

  it('does not count peers still at chance as ahead: runs all at chance cannot be ranked', () => {
    expect(leftChance(0.002, 0.014, 'max', 0.05)).toBe(false);
    expect(leftChance(0.002, 0.3, 'max', 0.05)).toBe(true);
    // Standings are oriented (larger is better): a loss from 6.0 to 5.9 is -5.9.
    expect(leftChance(6.0, -5.9, 'min', 0.05)).toBe(false);
    expect(leftChance(6.0, -4.0, 'min', 0.05)).toBe(true);
    const atChance = [0.014, 0.012, 0.011, 0.009, 0.008].map((v, i) => peer(`c${i}`, [0.002, v]));
    expect(
      createRobustHalvingPolicy(run, settings).decide({ evals: evals(0.001, 0.003), peers: atChance }).kind,
    ).toBe('continue');
  });

  it('restores its state and decides as before; refuses a state it did not write', () => {
    const policy = createRobustHalvingPolicy(run, settings);
    policy.decide({ evals: evals(0.1, 0.5), peers: [] });
    const copy = createRobustHalvingPolicy(run, settings);
    copy.restore(JSON.parse(JSON.stringify(policy.snapshot())));
    expect(copy.snapshot()).toEqual(policy.snapshot());
    expect(() => copy.restore({ seen: 1, best: 0, standings: [0, 0, 0, 0] })).toThrow(/standings/);
  });
});

/**
 * The shape of `examples/kv-qa-sweep.yaml` live (issue 12): six runs whose EM stays at chance
 * (≤ 0.014) for their first evals, past the first rung, then rises, each at its own time, to
 * about 0.97.
 */
function kvQaSweep(): Curve[] {
  const rise = [4, 9, 5, 12, 7, 6];
  return rise.map((start, r) => ({
    id: `kv-qa-sweep/${r}`,
    task: 'kv-qa',
    group: 'kv-qa-sweep',
    metric: 'em',
    mode: 'max',
    budgetTokens: 54_000,
    features: { family: 'kv-qa' },
    evals: Array.from({ length: 54 }, (_, i) => {
      // At chance: 0.002 at the first eval, then between 0.004 and 0.014, in another order per run.
      const chance = i === 0 ? 0.002 : 0.004 + 0.002 * ((i * 3 + r * 5) % 6);
      const up = 0.97 / (1 + Math.exp(-(i + 1 - start - 4) / 1.5));
      return { step: i + 1, tokens: (i + 1) * 1_000, value: i + 1 <= start ? chance : Math.max(chance, up) };
    }),
    source: `kv-qa-sweep:${r}`,
  }));
}

describe('a sweep whose runs all start at chance (replayed)', () => {
  const curves = kvQaSweep();
  /** Every run is at chance over its first three evals (the first rung is the second eval). */
  const AT_CHANCE = 3;

  it('is at chance over every run’s first evals', () => {
    for (const c of curves)
      expect(Math.max(...c.evals.slice(0, AT_CHANCE).map((e) => e.value))).toBeLessThanOrEqual(0.014);
  });

  for (const workers of [2, 6]) {
    it(`stops no run while the runs at its rung are all at chance, and keeps the best (${workers} workers)`, () => {
      const outcomes = replay(
        curves,
        (c) =>
          createAutoPolicy(
            { name: 'auto', monitor: 'em', mode: 'max', tolerance: 0.005, lr_drop_before_stop: false },
            { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode, features: c.features },
            null,
          ),
        { scope: 'experiment', workers },
      );
      for (const o of outcomes) {
        expect(o.stopIndex, `${o.id} stopped at eval ${o.stopIndex} (${o.reason})`).toBeGreaterThanOrEqual(
          AT_CHANCE,
        );
      }
      // The runs that reach the best EM of the sweep (within the tolerance) are kept to the end.
      const best = Math.max(...curves.map((c) => Math.max(...c.evals.map((e) => e.value))));
      const deployed = Math.max(
        ...outcomes.map((o, i) =>
          Math.max(...(curves[i] as Curve).evals.slice(0, o.stopIndex + 1).map((e) => e.value)),
        ),
      );
      expect(best - deployed).toBeLessThanOrEqual(0.005);
    });
  }

  it('is a shape on which plain successive halving stops runs while every run is at chance', () => {
    const outcomes = replay(
      curves,
      (c) =>
        createAshaPolicy(
          {
            name: 'asha',
            monitor: 'em',
            mode: 'max',
            tolerance: 0.005,
            lr_drop_before_stop: false,
            reduction_factor: 3,
          },
          { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode },
        ),
      { scope: 'experiment', workers: 2 },
    );
    const cutAtChance = outcomes.filter((o) => o.reason === 'halving' && o.stopIndex < AT_CHANCE);
    expect(cutAtChance.length).toBeGreaterThanOrEqual(2);
  });
});
