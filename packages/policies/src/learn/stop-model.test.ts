import { describe, expect, it } from 'vitest';
import type { Curve } from '../replay/curve';
import { STATE_FEATURES, stateFeatures } from './state-features';
import type { StopModel } from './stop-model';
import {
  DEFAULT_STOP_MODEL_OPTIONS,
  firstRungKeepShare,
  fitStopModel,
  progressKeepShares,
  thresholdFor,
} from './stop-model';

const model = (calibration: StopModel['calibration']): StopModel => ({
  format: 'curfew-stop-model/1',
  features: STATE_FEATURES,
  mean: { base: 0, learningRate: 0.1, trees: [] },
  upper: { base: 0, learningRate: 0.1, trees: [] },
  upperQuantile: 0.97,
  calibration,
  rungRanks: { statistic: 'value-at', fractions: [1 / 27], groups: [] },
  progressRanks: { statistic: 'best-so-far', fractions: [], groups: [] },
  history: { runs: 0, tasks: [] },
});

describe('thresholdFor', () => {
  const calibrated = model([
    { threshold: 0.001, meanLoss: 0.001, saved: 0.05 },
    { threshold: 0.002, meanLoss: 0.003, saved: 0.12 },
    { threshold: 0.004, meanLoss: 0.006, saved: 0.2 },
  ]);

  it('takes the largest threshold whose out-of-fold loss stayed within the tolerance', () => {
    expect(thresholdFor(calibrated, 0.005)).toBe(0.002);
    expect(thresholdFor(calibrated, 0.01)).toBe(0.004);
  });

  it('gives null (never stop on the model) when no threshold was safe, or without calibration', () => {
    expect(thresholdFor(calibrated, 0.0005)).toBeNull();
    expect(thresholdFor(model([]), 0.005)).toBeNull();
  });
});

describe('stateFeatures', () => {
  const evals = [0.1, 0.3, 0.5, 0.45, 0.6].map((value, i) => ({ step: i + 1, tokens: (i + 1) * 100, value }));

  it('describes the state from the evals so far only', () => {
    const f = stateFeatures(evals.slice(0, 4), 'max', 1000, { lr: 0.01, batchSize: 64 });
    const named = Object.fromEntries(STATE_FEATURES.map((n, i) => [n, f[i]]));
    expect(named.progress).toBeCloseTo(0.4);
    expect(named.best).toBeCloseTo(0.5);
    expect(named.drop_from_best).toBeCloseTo(0.05);
    expect(named.since_best).toBeCloseTo(0.1);
    expect(named.learned).toBeCloseTo(0.4);
    expect(named.log10_lr).toBeCloseTo(-2);
    expect(named.log2_batch_size).toBeCloseTo(6);
    // A later eval does not change the features of an earlier state.
    const changed = [...evals.slice(0, 4), { step: 5, tokens: 500, value: 0.99 }];
    expect(stateFeatures(changed.slice(0, 4), 'max', 1000)).toEqual(
      stateFeatures(evals.slice(0, 4), 'max', 1000),
    );
  });

  it('orients a loss so that lower is better: only the level differs, by the offset', () => {
    const loss = evals.map((e) => ({ ...e, value: 1 - e.value }));
    const asLoss = stateFeatures(loss, 'min', 1000);
    const asAccuracy = stateFeatures(evals, 'max', 1000);
    STATE_FEATURES.forEach((name, i) => {
      const expected = (asAccuracy[i] as number) - (name === 'best' ? 1 : 0);
      expect(asLoss[i], name).toBeCloseTo(expected, 9);
    });
  });
});

describe('rungRanks and firstRungKeepShare', () => {
  const RUNG = 1 / 27;
  /** A run of `group` whose value is `atRung` at the first rung (1/27 of 2,700 tokens) and `end` at the budget. */
  const curve = (group: string, i: number, atRung: number, end: number): Curve => ({
    id: `${group}-${i}`,
    task: group,
    group,
    metric: 'em',
    mode: 'max',
    budgetTokens: 2_700,
    features: {},
    evals: [
      { step: 1, tokens: 100, value: atRung },
      { step: 2, tokens: 900, value: (atRung + end) / 2 },
      { step: 3, tokens: 2_700, value: end },
    ],
    source: `${group}-${i}`,
  });
  // Group a: the best run (0.9 at the end) was third at the rung, two of ten ahead of it; a run
  // ending 0.004 behind it led at the rung. A run that stopped before the rung does not count.
  const a = [
    curve('a', 0, 0.5, 0.9),
    curve('a', 1, 0.7, 0.896),
    curve('a', 2, 0.6, 0.7),
    ...[0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1].map((v, i) => curve('a', i + 3, v, 0.5)),
    { ...curve('a', 10, 0.99, 0.99), evals: [{ step: 1, tokens: 50, value: 0.99 }] },
  ];
  // Group b: its best run led at the rung, among nine (one value NaN, which ranks nowhere).
  const b = [
    curve('b', 0, 0.8, 0.95),
    ...[0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15].map((v, i) => curve('b', i + 1, v, 0.6)),
    curve('b', 9, Number.NaN, 0.6),
  ];
  // Group c has fewer runs than a share of 1/9 could be told from: left out.
  const c = [curve('c', 0, 0.1, 0.99), curve('c', 1, 0.9, 0.5)];

  it('records, per group large enough, the front of (gap, share a rung must keep to keep the run)', () => {
    const model = fitStopModel([...a, ...b, ...c]);
    expect(model.rungRanks).toMatchObject({ statistic: 'value-at', fractions: [RUNG] });
    expect(model.rungRanks.groups).toHaveLength(2);
    const [ga, gb] = model.rungRanks.groups.map((g) => g[0]);
    // Group a: its best (gap 0) was third of ten at the rung, the run 0.004 behind led.
    expect(ga?.map((r) => r.keep)).toEqual([0.3, 0.1]);
    expect(ga?.[1]?.gap).toBeCloseTo(0.004);
    // Group b: the best led, among the nine with a value at the rung.
    expect(gb).toEqual([{ gap: 0, keep: 1 / 9 }]);
    expect(model.progressRanks.statistic).toBe('best-so-far');
    expect(model.progressRanks.fractions).toEqual(DEFAULT_STOP_MODEL_OPTIONS.rankFractions);
  });

  it('promotes enough at the first rung to keep, in every group, a run within the tolerance: 2.5 × the largest share needed', () => {
    const model = fitStopModel([...a, ...b]);
    // Within 0.005, group a's run that led at the rung counts: a needs 1/10, b 1/9.
    expect(firstRungKeepShare(model, 0.005, RUNG)).toBeCloseTo(2.5 / 9);
    // Within 0.001, only a's best counts: a rung must keep 3 of 10.
    expect(firstRungKeepShare(model, 0.001, RUNG)).toBeCloseTo(0.75);
    expect(firstRungKeepShare(model, 0.001, RUNG, 1)).toBeCloseTo(0.3);
  });

  it('says nothing (null) with fewer than two groups large enough, or for another rung than history was ranked at', () => {
    expect(firstRungKeepShare(fitStopModel([...a, ...c]), 0.005, RUNG)).toBeNull();
    expect(firstRungKeepShare(fitStopModel([...a, ...b]), 0.005, 1 / 9)).toBeNull();
    expect(progressKeepShares(fitStopModel([...a, ...c]), 0.005)).toBeNull();
  });

  it('keeps, at each rank fraction, 2.5 × the share of runs by best so far history needed, at most all', () => {
    const kept = progressKeepShares(fitStopModel([...a, ...b]), 0.005);
    expect(kept?.fractions).toEqual(DEFAULT_STOP_MODEL_OPTIONS.rankFractions);
    // By best so far, a's run 0.004 behind its best leads a at every fraction (the short run, which
    // stopped after 50 tokens, stands nowhere) and b's best leads the nine of b with a value: a needs
    // 1/10, b 1/9.
    for (const share of kept?.shares ?? []) expect(share).toBeCloseTo(2.5 / 9);
    expect(progressKeepShares(fitStopModel([...a, ...b]), 0.005, 100)?.shares.every((s) => s === 1)).toBe(
      true,
    );
  });
});
