import { describe, expect, it } from 'vitest';
import { expandSearch } from './expand-search.js';
import type { ExperimentSpec } from './experiment-spec.js';
import { parseSpec } from './parse-spec.js';
import { designExampleYaml, minimalYaml } from './test-specs.js';
import { validateSpec } from './validate-spec.js';

function spec(text: string): ExperimentSpec {
  const result = parseSpec(text, { filename: 'spec.yaml' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

function withSearch(
  search: unknown,
  model: unknown = { family: 'gru', params: { units: 48 } },
): ExperimentSpec {
  const result = validateSpec({ name: 'x', task: { family: 'add' }, model, search });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

describe('expandSearch', () => {
  it('gives one run with every default when there is no search', () => {
    expect(expandSearch(spec(minimalYaml))).toEqual([
      {
        trial: 0,
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
        sampled: {},
      },
    ]);
  });

  it('gives the same configs for the same spec, every time', () => {
    const first = expandSearch(spec(designExampleYaml));
    expect(first).toHaveLength(12);
    expect(expandSearch(spec(designExampleYaml))).toEqual(first);
    expect(first.map((run) => run.trial)).toEqual([...Array(12).keys()]);
  });

  it('samples these exact values for seed 7 (a change of RNG or sampling must be noticed)', () => {
    const runs = expandSearch(spec(designExampleYaml));
    expect(runs.slice(0, 4).map((run) => run.sampled)).toEqual([
      { batch_size: 64, lr: 0.00551189, units: 91 },
      { batch_size: 64, lr: 0.00109651, units: 114 },
      { batch_size: 32, lr: 0.000784486, units: 116 },
      { batch_size: 32, lr: 0.00152014, units: 81 },
    ]);
    expect(runs[0]?.params).toEqual({
      units: 91,
      embedding: 32,
      layers: 1,
      dropout: 0,
      lr: 0.00551189,
      batch_size: 64,
      optimizer: 'adam',
      weight_decay: 0,
      seed: 0,
    });
  });

  it('depends on the seed and not on the order keys are written in', () => {
    const space = { lr: { uniform: [0.001, 0.01] }, units: { int: [8, 64] } };
    const reordered = { units: { int: [8, 64] }, lr: { uniform: [0.001, 0.01] } };
    const a = expandSearch(withSearch({ method: 'random', trials: 5, seed: 1, space }));
    expect(expandSearch(withSearch({ method: 'random', trials: 5, seed: 1, space: reordered }))).toEqual(a);
    expect(expandSearch(withSearch({ method: 'random', trials: 5, seed: 2, space }))).not.toEqual(a);
  });

  it('keeps every sample within its domain', () => {
    const runs = expandSearch(
      withSearch({
        method: 'random',
        trials: 10_000,
        space: {
          lr: { loguniform: [1e-5, 1e-1] },
          dropout: { uniform: [0.1, 0.3] },
          units: { int: [30, 33] },
          optimizer: { choice: ['adam', 'sgd'] },
        },
      }),
    );
    const values = (key: string) => runs.map((run) => run.params[key]);
    const lrs = values('lr') as number[];
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-5);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // Log-uniform: about a quarter of the samples in each decade.
    const share = lrs.filter((lr) => lr < 1e-4).length / lrs.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
    const dropouts = values('dropout') as number[];
    expect(Math.min(...dropouts)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...dropouts)).toBeLessThanOrEqual(0.3);
    expect(new Set(values('units'))).toEqual(new Set([30, 31, 32, 33]));
    expect(new Set(values('optimizer'))).toEqual(new Set(['adam', 'sgd']));
    expect(new Set(values('embedding'))).toEqual(new Set([32]));
    expect(new Set(values('units')).size).toBe(4);
  });

  it('expands a grid as the product of its domains, keys in sorted order', () => {
    const runs = expandSearch(
      withSearch({ method: 'grid', space: { units: { int: [1, 3] }, optimizer: { grid: ['adam', 'sgd'] } } }),
    );
    expect(runs.map((run) => run.sampled)).toEqual([
      { optimizer: 'adam', units: 1 },
      { optimizer: 'adam', units: 2 },
      { optimizer: 'adam', units: 3 },
      { optimizer: 'sgd', units: 1 },
      { optimizer: 'sgd', units: 2 },
      { optimizer: 'sgd', units: 3 },
    ]);
    expect(runs.map((run) => run.trial)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(runs[5]?.params).toMatchObject({ units: 3, optimizer: 'sgd', embedding: 32, lr: 0.003 });
  });

  it('runs a seeded sample of the grid, in grid order, when trials is below the grid size', () => {
    const space = { lr: { choice: [0.1, 0.01, 0.001] }, batch_size: { int: [1, 4] } };
    const runs = expandSearch(withSearch({ method: 'grid', trials: 5, seed: 3, space }));
    expect(runs).toHaveLength(5);
    expect(runs.map((run) => run.trial)).toEqual([0, 1, 2, 3, 4]);
    const all = expandSearch(withSearch({ method: 'grid', space })).map((run) => JSON.stringify(run.sampled));
    const picked = runs.map((run) => all.indexOf(JSON.stringify(run.sampled)));
    expect(picked.every((index) => index >= 0)).toBe(true);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
    expect(new Set(picked).size).toBe(5);
    expect(expandSearch(withSearch({ method: 'grid', trials: 5, seed: 3, space }))).toEqual(runs);
    expect(expandSearch(withSearch({ method: 'grid', trials: 12, space }))).toHaveLength(12);
  });
});
