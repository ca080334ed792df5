import { describe, expect, it } from 'vitest';
import { ExperimentSpec } from './experiment-spec.js';
import { parseSpec } from './parse-spec.js';
import { designExampleYaml, minimalYaml } from './test-specs.js';
import { validateSpec } from './validate-spec.js';

function parseOk(text: string, filename = 'spec.yaml') {
  const result = parseSpec(text, { filename });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

const problemsOf = (data: unknown) => {
  const result = validateSpec(data);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
};

const base = { name: 'x', task: { family: 'add' }, model: { family: 'mlp' } };

describe('ExperimentSpec', () => {
  it('parses the example of DESIGN.md as written', () => {
    const spec = parseOk(designExampleYaml);
    expect(spec.name).toBe('kv-qa-sweep');
    expect(spec.task).toEqual({
      family: 'kv-qa',
      params: {
        pairs: 8,
        key_length: 2,
        value_length: 2,
        vocab: 16,
        train_examples: 20000,
        val_examples: 1000,
        seed: 0,
      },
    });
    expect(spec.model?.params).toMatchObject({ units: 64, embedding: 32, lr: 3e-3, optimizer: 'adam' });
    expect(spec.search).toEqual({
      method: 'random',
      trials: 12,
      seed: 7,
      space: {
        lr: { loguniform: [1e-4, 1e-2] },
        batch_size: { choice: [32, 64, 128] },
        units: { int: [32, 128] },
      },
    });
    expect(spec.policy).toEqual({
      name: 'auto',
      monitor: 'em',
      mode: 'max',
      tolerance: 0.005,
      lr_drop_before_stop: false,
    });
    expect(spec.lr_schedule).toEqual({
      name: 'reduce-on-plateau',
      factor: 0.5,
      patience: 2,
      cooldown: 0,
      min_lr: 0,
      min_delta: 0,
    });
  });

  it('fills every default of a minimal spec', () => {
    const spec = parseOk(minimalYaml);
    expect(spec).toEqual({
      name: 'add-baseline',
      task: { family: 'add', params: { digits: 3, train_examples: 20000, val_examples: 1000, seed: 0 } },
      model: {
        family: 'mlp',
        params: {
          hidden: 128,
          layers: 2,
          dropout: 0,
          lr: 0.003,
          batch_size: 64,
          optimizer: 'adam',
          weight_decay: 0,
          seed: 0,
        },
      },
      policy: { name: 'auto', monitor: 'em', mode: 'max', tolerance: 0.005, lr_drop_before_stop: false },
      lr_schedule: { name: 'constant' },
      regularization: { adaptive: false, max_weight_decay: 0.01, max_dropout: 0.5, gap_threshold: 0.05 },
      resources: { priority: 5, max_parallel: 4 },
    });
  });

  it('re-parses its own output unchanged (stored specs round-trip)', () => {
    const spec = parseOk(designExampleYaml);
    expect(ExperimentSpec.parse(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('defaults the policy mode from the monitor, and keeps an explicit one', () => {
    const policy = (p: object) => {
      const result = validateSpec({ ...base, policy: p });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return result.spec.policy;
    };
    expect(policy({ name: 'patience', monitor: 'train_loss' })).toMatchObject({ mode: 'min', patience: 5 });
    expect(policy({ name: 'patience', monitor: 'perplexity' })).toMatchObject({ mode: 'min' });
    expect(policy({ name: 'median', monitor: 'em' })).toMatchObject({ mode: 'max', startup_runs: 5 });
    expect(policy({ name: 'threshold', monitor: 'loss', mode: 'max' })).toMatchObject({ mode: 'max' });
    expect(policy({ name: 'none' })).toEqual({ name: 'none' });
    expect(policy({ name: 'asha' })).toEqual({
      name: 'asha',
      monitor: 'em',
      mode: 'max',
      tolerance: 0.005,
      lr_drop_before_stop: false,
      reduction_factor: 3,
    });
  });

  it('refuses a monitor the trainer does not report, naming the ones it does', () => {
    expect(problemsOf({ ...base, policy: { name: 'patience', monitor: 'val_loss' } })).toEqual([
      'policy.monitor: expected one of em, loss, perplexity, train_loss (the metrics the trainer reports), got val_loss',
    ]);
  });

  it('accepts every family and schedule', () => {
    for (const family of ['add', 'reverse', 'sort', 'kv-qa']) {
      expect(problemsOf({ ...base, task: { family } })).toEqual([]);
    }
    for (const family of ['mlp', 'gru', 'transformer']) {
      expect(problemsOf({ ...base, model: { family, params: { lr: 0.01, optimizer: 'sgd' } } })).toEqual([]);
    }
    for (const lr_schedule of [
      { name: 'constant' },
      { name: 'step', step_tokens: 1000, factor: 0.5 },
      { name: 'exponential', decay_rate: 0.9, decay_tokens: 1000 },
      { name: 'cosine', warmup_tokens: 100 },
      { name: 'reduce-on-plateau', cooldown: 1 },
    ]) {
      expect(problemsOf({ ...base, lr_schedule })).toEqual([]);
    }
  });

  it('names the field and the value of every mistake', () => {
    expect(
      problemsOf({
        name: 'x'.repeat(64),
        task: { family: 'sort', params: { length: 40, vocab: 1.5 } },
        model: { family: 'transformer', params: { heads: 0, optimizer: 'adamw', dropout: 0.95 } },
        policy: { name: 'patience', tolerance: 2, restore_best: 'yes', mode: 'up' },
        lr_schedule: { name: 'warm' },
        regularization: { adaptive: 1 },
        resources: { priority: 0, max_parallel: 0 },
      }),
    ).toEqual([
      'name: expected at most 63 characters, got 64',
      'task.params.length: expected an integer from 2 to 32, got 40',
      'task.params.vocab: expected an integer from 2 to 64, got 1.5',
      'model.params.heads: expected an integer from 1 to 16, got 0',
      'model.params.dropout: expected a number from 0 to 0.9, got 0.95',
      'model.params.optimizer: expected one of adam, sgd, rmsprop, got "adamw"',
      'policy.mode: expected one of max, min, got "up"',
      'policy.tolerance: expected a number from 0 to 1, got 2',
      'policy.restore_best: expected true or false, got "yes"',
      'lr_schedule.name: expected one of constant, step, exponential, cosine, reduce-on-plateau, got "warm"',
      'regularization.adaptive: expected true or false, got 1',
      'resources.priority: expected an integer from 1 to 100, got 0',
      'resources.max_parallel: expected an integer from 1 to 1024, got 0',
    ]);
  });

  it('reports missing sections and missing discriminators as required', () => {
    expect(problemsOf({ task: {}, model: { params: {} } })).toEqual([
      'name: required',
      'task.family: required',
      'model.family: required',
    ]);
    expect(problemsOf([])).toEqual(['(root): expected an experiment spec (a mapping), got []']);
  });

  it('keeps eval and other token counts within the budget', () => {
    expect(
      problemsOf({
        ...base,
        budget: { max_tokens_per_run: 1000 },
        eval: { every_tokens: 5000 },
        policy: { name: 'asha', min_resource_tokens: 2000 },
      }),
    ).toEqual([
      'eval.every_tokens: expected at most budget.max_tokens_per_run (1000), got 5000',
      'policy.min_resource_tokens: expected at most budget.max_tokens_per_run (1000), got 2000',
    ]);
    expect(
      problemsOf({ ...base, budget: { max_tokens_per_run: 1000 }, eval: { every_tokens: 1000 } }),
    ).toEqual([]);
  });
});

describe('transformer heads', () => {
  const transformer = (model: Record<string, unknown>, search?: Record<string, unknown>) =>
    validateSpec({
      name: 'tr',
      task: { family: 'reverse' },
      model: { family: 'transformer', ...model },
      ...(search ? { search } : {}),
    });

  it('must divide d_model, in model.params and in a searched choice', () => {
    expect(transformer({ params: { heads: 4, d_model: 32 } }).ok).toBe(true);
    expect(transformer({ params: { heads: 3 } })).toMatchObject({
      ok: false,
      problems: [{ path: 'model.params.heads', message: 'expected a divisor of d_model (64), got 3' }],
    });
    expect(
      transformer({}, { method: 'grid', space: { heads: { grid: [2, 5] }, d_model: { choice: [32, 64] } } }),
    ).toMatchObject({
      ok: false,
      problems: [{ path: 'search.space.heads', message: 'expected a divisor of d_model (32), got 5' }],
    });
  });
});
