import { describe, expect, it } from 'vitest';
import { STATE_FEATURES, stateFeatures } from './state-features';
import type { StopModel } from './stop-model';
import { thresholdFor } from './stop-model';

const model = (calibration: StopModel['calibration']): StopModel => ({
  format: 'curfew-stop-model/1',
  features: STATE_FEATURES,
  mean: { base: 0, learningRate: 0.1, trees: [] },
  upper: { base: 0, learningRate: 0.1, trees: [] },
  upperQuantile: 0.97,
  calibration,
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
