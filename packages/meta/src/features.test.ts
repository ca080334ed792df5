import { describe, expect, it } from 'vitest';
import { flattenFeatures, specRunFeatures, withGroupRanks } from './features.js';

describe('run features', () => {
  it('keeps numbers and strings, turns booleans into strings, and reads learning_rate as lr', () => {
    expect(
      flattenFeatures({ learning_rate: 0.01, model: 'gru', amp: true, nested: { a: 1 }, nan: Number.NaN }),
    ).toEqual({
      learning_rate: 0.01,
      lr: 0.01,
      model: 'gru',
      amp: 'true',
    });
  });

  it('takes the kind of task (EM, higher is better), task family and params, model family and the run config from a spec, config winning', () => {
    const spec = {
      task: { family: 'kv-qa', params: { pairs: 8, train_examples: 4000 } },
      model: { family: 'gru', params: { units: 64 } },
      budget: { max_tokens_per_run: 2_000_000 },
      eval: { every_tokens: 50_000 },
    };
    expect(specRunFeatures(spec, { units: 96, lr: 0.003, batch_size: 64 })).toEqual({
      metric: 'em',
      mode: 'max',
      family: 'kv-qa',
      pairs: 8,
      train_examples: 4000,
      model: 'gru',
      units: 96,
      lr: 0.003,
      batch_size: 64,
      evals_per_run: 40,
    });
  });

  it('takes the metric and mode from what the policy monitors (a command trainer may report any)', () => {
    const spec = (policy: Record<string, unknown>) => ({ task: { family: 'custom' }, policy });
    expect(specRunFeatures(spec({ name: 'auto', monitor: 'val_loss', mode: 'min' }), {})).toMatchObject({
      metric: 'val_loss',
      mode: 'min',
    });
    expect(specRunFeatures(spec({ name: 'auto', monitor: 'accuracy', mode: 'max' }), {})).toMatchObject({
      metric: 'accuracy',
      mode: 'max',
    });
    expect(specRunFeatures(spec({ name: 'none' }), {})).toMatchObject({ metric: 'em', mode: 'max' });
  });

  it("ranks each varying parameter within the group, so a sweep's highest lr is near 1 at any scale", () => {
    const small = withGroupRanks([{ lr: 1e-5 }, { lr: 1e-4 }, { lr: 1e-3 }, { lr: 1e-3 }]);
    const large = withGroupRanks([{ lr: 0.1 }, { lr: 1 }, { lr: 10 }, { lr: 10 }]);
    expect(small.map((f) => f.lr_rank)).toEqual([0.125, 0.375, 0.75, 0.75]);
    expect(large.map((f) => f.lr_rank)).toEqual(small.map((f) => f.lr_rank));
    expect(
      withGroupRanks([
        { lr: 1, units: 3 },
        { lr: 1, units: 4 },
      ])[0],
    ).toEqual({ lr: 1, units: 3, units_rank: 0.25 });
  });
});
