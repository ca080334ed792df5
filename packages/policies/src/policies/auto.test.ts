import { describe, expect, it } from 'vitest';
import { createPolicy } from '../create-policy';
import type { PlateauTables } from '../learn/plateau-table';
import type { StopModel } from '../learn/stop-model';
import type { AutoOptions } from '../options';
import { firstStop, stubStopModel } from '../test-support';
import type { EvalPoint, PeerRun, RunInfo } from '../types';
import { createAutoPolicy, DEFAULT_AUTO_SETTINGS } from './auto';

const BUDGET = 27_000;
const run: RunInfo = { id: 'me', budgetTokens: BUDGET, mode: 'max', features: { family: 'f' } };
const options: AutoOptions = {
  name: 'auto',
  monitor: 'em',
  mode: 'max',
  tolerance: 0.01,
  lr_drop_before_stop: false,
};
/** Evals at 500, 1,000 (the first rung, 1/27), 1,500, … tokens. */
const evals = (...values: number[]): EvalPoint[] =>
  values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 500, value }));
/** Nine peers at the first rung, 0.9 down to 0.1 (each from 0.05 at its first eval). */
const peers: PeerRun[] = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1].map((v, i) => ({
  id: `p${i}`,
  budgetTokens: BUDGET,
  evals: evals(0.05, v),
  features: { family: 'f' },
  finished: false,
}));

/**
 * History of twelve groups of accuracy curves of family `f`: halving lost nothing at shares 1 and 0.5 and twice the
 * tolerance at 0.25; the plateau rule lost nothing with a window of 0.2, and 3 × t with 0.1.
 */
function history(): StopModel {
  const names = Array.from({ length: 12 }, (_, g) => `g${g}`);
  const tolerances = [0.005, 0.01];
  const windows = [1, 0.2, 0.1];
  const losses = () => tolerances.map((t) => names.map(() => windows.map((w) => (w < 0.2 ? 3 * t : 0))));
  const plateau: PlateauTables = {
    tolerances,
    windows,
    tasks: names,
    groups: names,
    runs: losses(),
    runSaved: losses(),
    leaders: losses(),
  };
  return stubStopModel({
    halving: {
      params: [1, 0.5, 0.25],
      units: names.map((name) => ({ name, losses: [[0], [0], [0.02]], saved: [0, 0.5, 0.7] })),
    },
    plateau,
    kinds: {
      tasks: Object.fromEntries(names.map((n) => [n, { metric: 'accuracy:max', family: 'f' }])),
      groups: Object.fromEntries(names.map((n) => [n, { metric: 'accuracy:max', family: 'f' }])),
    },
  });
}

describe('auto across an experiment', () => {
  it('without history, halves robustly: the top third of the runs at a rung, at least two, go on', () => {
    // Ten at the first rung keep three: the fourth stops, the third goes on.
    expect(createAutoPolicy(options, run, null).decide({ evals: evals(0.05, 0.65), peers })).toMatchObject({
      kind: 'stop',
      reason: 'halving',
    });
    expect(createAutoPolicy(options, run, null).decide({ evals: evals(0.05, 0.75), peers }).kind).toBe(
      'continue',
    );
  });

  it('keeps the share history bounds within its part of the tolerance', () => {
    // History supports 0.5 at t/2: the fourth of ten goes on, the sixth stops.
    const model = history();
    expect(createAutoPolicy(options, run, model).decide({ evals: evals(0.05, 0.65), peers }).kind).toBe(
      'continue',
    );
    expect(createAutoPolicy(options, run, model).decide({ evals: evals(0.05, 0.45), peers })).toMatchObject({
      kind: 'stop',
      reason: 'halving',
    });
    // A run of a family history has too little of is judged by its metric kind: the same groups.
    const other = { ...run, features: { family: 'unseen' } };
    expect(createAutoPolicy(options, other, model).decide({ evals: evals(0.05, 0.65), peers }).kind).toBe(
      'continue',
    );
  });

  it('judges a run of a metric kind history lacks by no curves of other metrics: it halves nothing', () => {
    // History is of accuracies; this run monitors a WER (min). Mirrored values: lower is better.
    const wer: RunInfo = { ...run, mode: 'min', metric: 'validation/wer' };
    const werOptions: AutoOptions = { ...options, monitor: 'validation/wer', mode: 'min' };
    const mirrored = peers.map((p) => ({ ...p, evals: p.evals.map((e) => ({ ...e, value: 1 - e.value })) }));
    // The ninth of ten: under the accuracies' learned share 0.5 it would stop; here it goes on.
    const ninth = evals(0.95, 0.85);
    expect(createAutoPolicy(werOptions, wer, history()).decide({ evals: ninth, peers: mirrored }).kind).toBe(
      'continue',
    );
    // Asked for plain halving regardless (a third of ten: three go on), the fourth stops.
    const plain = {
      ...DEFAULT_AUTO_SETTINGS,
      matching: { poolFamilies: true, withoutKind: 'halving' as const },
    };
    expect(
      createAutoPolicy(werOptions, wer, history(), plain).decide({
        evals: evals(0.95, 0.35),
        peers: mirrored,
      }),
    ).toMatchObject({ kind: 'stop', reason: 'halving' });
    // The metric named by the run wins over the options' monitor (replay sets it from each curve).
    const own = createAutoPolicy(options, run, history()).decide({ evals: evals(0.05, 0.15), peers });
    expect(own).toMatchObject({ kind: 'stop', reason: 'halving' });
    expect(
      createAutoPolicy(options, { ...run, metric: 'validation/wer' }, history()).decide({
        evals: evals(0.05, 0.15),
        peers,
      }).kind,
    ).toBe('continue');
  });

  it('judges a run alone by its own curve, whatever history holds of its kind, in mode max and min', () => {
    // Rises to 0.6 by 1,500 tokens, then flat within ±0.001: a fifth of the budget (5,400 tokens)
    // later, the bound (no gain, two σ of about 0.001) is within the tolerance.
    const flat = evals(0.3, 0.5, ...Array.from({ length: 30 }, (_, i) => 0.6 + (i % 2 ? 0.001 : -0.001)));
    const wer: RunInfo = { ...run, mode: 'min', metric: 'validation/wer' };
    const werOptions: AutoOptions = { ...options, monitor: 'validation/wer', mode: 'min' };
    const mirrored = flat.map((e) => ({ ...e, value: 1 - e.value }));
    for (const model of [null, history()]) {
      const stop = firstStop(createAutoPolicy(options, run, model), flat);
      expect(stop?.decision).toMatchObject({ kind: 'stop', reason: 'plateau' });
      expect(flat[stop?.index ?? 0]?.tokens).toBeGreaterThanOrEqual(1_500 + 0.2 * BUDGET);
      // History holds no WER: the same stop.
      expect(firstStop(createAutoPolicy(werOptions, wer, model), mirrored)?.index).toBe(stop?.index);
    }
    // Among peers, with no WER history to back a plateau rule or a halving share, the survivors
    // are bounded by their own curves: the same stop.
    const werPeers = peers.map((p) => ({ ...p, evals: p.evals.map((e) => ({ ...e, value: 1 - e.value })) }));
    expect(firstStop(createAutoPolicy(werOptions, wer, history()), mirrored, werPeers)?.index).toBe(
      firstStop(createAutoPolicy(options, run, history()), flat)?.index,
    );
    // Below the run's own noise the bound never allows a stop.
    expect(firstStop(createAutoPolicy({ ...options, tolerance: 0.001 }, run, history()), flat)).toBeNull();
  });
});

describe('auto state and models', () => {
  const curve = evals(0.05, 0.3, 0.5, 0.55, 0.6, 0.6, 0.6);

  it('restores its snapshot and decides as before', () => {
    const policy = createAutoPolicy(options, run, history());
    for (let i = 1; i <= 4; i++) policy.decide({ evals: curve.slice(0, i), peers: [] });
    const copy = createAutoPolicy(options, run, history());
    copy.restore(JSON.parse(JSON.stringify(policy.snapshot())));
    expect(copy.snapshot()).toEqual(policy.snapshot());
    expect(copy.decide({ evals: curve.slice(0, 5), peers })).toEqual(
      policy.decide({ evals: curve.slice(0, 5), peers }),
    );
  });

  it('rebuilds a state saved by the auto before issue 12 from the run’s evals', () => {
    const straight = createAutoPolicy(options, run, history());
    for (let i = 1; i <= 5; i++) straight.decide({ evals: curve.slice(0, i), peers: [] });
    const resumed = createAutoPolicy(options, run, history());
    resumed.restore({
      parts: [{}, { seen: 3, nextRung: 1, last: { kind: 'continue' }, rungValues: [0.3] }, {}],
    });
    expect(resumed.decide({ evals: curve.slice(0, 5), peers: [] })).toEqual(
      straight.decide({ evals: curve.slice(0, 5), peers: [] }),
    );
    expect(resumed.snapshot()).toEqual(straight.snapshot());
  });

  it('uses a model of the format before issue 12 as history that supports nothing, and refuses unknown formats', () => {
    const v1 = { ...history(), format: 'curfew-stop-model/1' } as unknown as StopModel;
    const policy = createPolicy(options, { run, model: v1 });
    // Plain halving (a third of ten: three) and no plateau rule alone.
    expect(policy.decide({ evals: evals(0.05, 0.65), peers })).toMatchObject({
      kind: 'stop',
      reason: 'halving',
    });
    const unknown = { ...history(), format: 'curfew-stop-model/9' } as unknown as StopModel;
    expect(() => createPolicy(options, { run, model: unknown })).toThrow(/fit it again/);
  });
});
