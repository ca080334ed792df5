import { describe, expect, it } from 'vitest';
import { validateSpec } from './validate-spec.js';

const base = { name: 'x', task: { family: 'kv-qa' }, model: { family: 'gru' } };

const problemsOf = (search: unknown) => {
  const result = validateSpec({ ...base, search });
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('search', () => {
  it('rejects search keys that are not parameters of the model family, naming the allowed ones', () => {
    expect(problemsOf({ method: 'random', trials: 2, space: { hidden: { int: [8, 16] } } })).toEqual([
      'search.space.hidden: unknown parameter for model family gru (expected one of: units, embedding, layers, dropout, lr, batch_size, optimizer, weight_decay, seed)',
    ]);
  });

  it('checks every domain shape', () => {
    expect(
      problemsOf({
        method: 'random',
        trials: 2,
        space: {
          lr: { uniform: [0.1, 0.01] },
          weight_decay: { loguniform: [0, 0.1] },
          units: { int: [1.5, 4] },
          batch_size: { choice: [] },
          dropout: { uniform: [0, 0.5], choice: [0.1] },
          embedding: {},
          layers: { range: [1, 2] },
          seed: 7,
          optimizer: { uniform: [1] },
        },
      }),
    ).toEqual([
      'search.space.lr.uniform: expected low < high, got [0.1,0.01]',
      'search.space.weight_decay.loguniform[0]: expected a positive number, got 0',
      'search.space.units.int[0]: expected an integer, got 1.5',
      'search.space.batch_size.choice: expected a non-empty list of values, got []',
      'search.space.dropout: expected exactly one of choice, grid, uniform, loguniform, int, got choice and uniform',
      'search.space.embedding: expected exactly one of choice, grid, uniform, loguniform, int, got none',
      'search.space.layers.range: unknown key (expected one of: choice, grid, uniform, loguniform, int)',
      'search.space.seed: expected a domain such as {choice: [...]}, {uniform: [low, high]} or {int: [low, high]}, got 7',
      'search.space.optimizer.uniform: expected [low, high], got [1]',
    ]);
  });

  it('checks the values a domain can produce against the parameter', () => {
    expect(
      problemsOf({
        method: 'random',
        trials: 2,
        space: {
          layers: { int: [1, 8] },
          optimizer: { choice: ['adam', 'adamw'] },
          units: { uniform: [16, 64] },
          dropout: { grid: [0, 0.95] },
        },
      }),
    ).toEqual([
      'search.space.layers.int[1]: expected an integer from 1 to 4, got 8',
      'search.space.optimizer.choice[1]: expected one of adam, sgd, rmsprop, got "adamw"',
      'search.space.units.uniform: expected an int or choice domain for integer parameter units, got uniform',
      'search.space.dropout.grid[1]: expected a number from 0 to 0.9, got 0.95',
    ]);
  });

  it('requires trials for random search', () => {
    expect(problemsOf({ method: 'random', space: { lr: { uniform: [0.1, 0.2] } } })).toEqual([
      'search.trials: required',
    ]);
    expect(problemsOf({ method: 'bayes', space: {} })).toEqual([
      'search.method: expected one of grid, random, got "bayes"',
    ]);
  });

  it('accepts only enumerable domains in a grid, and at most as many trials as points', () => {
    expect(problemsOf({ method: 'grid', space: { lr: { loguniform: [1e-4, 1e-2] } } })).toEqual([
      'search.space.lr: method grid takes only choice, grid, int domains, got loguniform (use method: random)',
    ]);
    const space = { units: { int: [1, 3] }, optimizer: { grid: ['adam', 'sgd'] } };
    expect(problemsOf({ method: 'grid', space })).toEqual([]);
    expect(problemsOf({ method: 'grid', trials: 6, space })).toEqual([]);
    expect(problemsOf({ method: 'grid', trials: 7, space })).toEqual([
      'search.trials: expected at most 6 (the grid size), got 7',
    ]);
    expect(
      problemsOf({ method: 'grid', space: { units: { int: [1, 2000] }, seed: { int: [0, 9] } } }),
    ).toEqual([
      'search.space: expected at most 10000 grid points, got 20000 (narrow the domains or use method: random)',
    ]);
    expect(problemsOf({ method: 'grid', space: {} })).toEqual([
      'search.space: expected at least one parameter to search, got {}',
    ]);
  });
});
