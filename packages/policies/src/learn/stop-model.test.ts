import { describe, expect, it } from 'vitest';
import type { Curve } from '../replay/curve';
import { stubStopModel } from '../test-support';
import { STATE_FEATURES, stateFeatures } from './state-features';
import type { StopModel } from './stop-model';
import {
  checkStopModel,
  hasAutoTables,
  STOP_MODEL_FORMAT,
  StopModelTrainer,
  thresholdFor,
} from './stop-model';
import { taskUnit } from './task-unit';

const model = (calibration: StopModel['calibration']): StopModel => stubStopModel({ calibration });

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

describe('stop model format 3', () => {
  const curve = (task: string, i: number, framework?: string): Curve => ({
    id: `${task}/${i}`,
    task,
    group: task,
    metric: 'acc',
    mode: 'max',
    budgetTokens: 1_000,
    features: { family: task.split('_')[0] as string, ...(framework ? { framework } : {}) },
    evals: Array.from({ length: 10 }, (_, k) => ({
      step: k + 1,
      tokens: (k + 1) * 100,
      value: 0.5 + 0.02 * k + 0.01 * i,
    })),
    source: `${task}/${i}`,
  });
  const curves = [
    ...[0, 1, 2].map((i) => curve('wmt_jax@v06', i, 'jax')),
    ...[0, 1, 2].map((i) => curve('wmt_pytorch', i, 'pytorch')),
    ...['a', 'b', 'c', 'd', 'e', 'f'].flatMap((t) => [0, 1, 2].map((i) => curve(t, i))),
  ];

  it('holds one workload under several frameworks and rule versions out together', () => {
    expect(taskUnit(curve('wmt_jax@v06', 0, 'jax'))).toBe('wmt');
    expect(taskUnit(curve('wmt_pytorch', 0, 'pytorch'))).toBe('wmt');
    expect(taskUnit(curve('a_pytorch', 0))).toBe('a_pytorch');
    const trainer = new StopModelTrainer(curves);
    expect(trainer.foldOf('wmt_jax@v06')).toBe(trainer.foldOf('wmt_pytorch'));
    const model = trainer.fit(new Set([trainer.foldOf('wmt_pytorch') as number]));
    expect(model.history.tasks).not.toContain('wmt_jax@v06');
    expect(model.halving.units.map((u) => u.name)).not.toContain('wmt_jax@v06');
  });

  it('carries auto’s tables of the history it saw, with each task’s and group’s kind', () => {
    const model = new StopModelTrainer(curves).fit();
    expect(model.format).toBe(STOP_MODEL_FORMAT);
    expect(model.plateau.tasks).toHaveLength(8);
    expect(model.halving.units).toHaveLength(8);
    expect(model.kinds.groups.wmt_pytorch).toEqual({ metric: 'accuracy:max', family: 'wmt' });
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('reads formats 1 and 2 (for meta; auto finds no tables in them) and refuses any other with what to do', () => {
    const v1 = { ...model([]), format: 'curfew-stop-model/1' } as unknown as StopModel;
    expect(checkStopModel(v1)).toBe(v1);
    // Format 2 held each unit's family alone: auto must not match history by it.
    const fitted = new StopModelTrainer(curves).fit();
    const v2 = {
      ...fitted,
      format: 'curfew-stop-model/2',
      kinds: { tasks: {}, groups: {} },
    } as unknown as StopModel;
    expect(checkStopModel(v2)).toBe(v2);
    expect(hasAutoTables(v2)).toBe(false);
    expect(hasAutoTables(fitted)).toBe(true);
    expect(() => checkStopModel({ ...model([]), format: 'x' } as unknown as StopModel)).toThrow(
      /fit it again/,
    );
  });
});
