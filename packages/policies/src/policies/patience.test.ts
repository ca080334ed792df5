import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { PatienceOptions } from '../options';
import { mulberry32 } from '../prng';
import { firstStop } from '../test-support';
import type { EvalPoint, Mode, RunInfo } from '../types';
import { createPatiencePolicy } from './patience';

function run(mode: Mode): RunInfo {
  return { id: 'r', budgetTokens: 1_000_000, mode };
}

function options(over: Partial<PatienceOptions> = {}): PatienceOptions {
  return {
    name: 'patience',
    monitor: 'em',
    mode: 'max',
    tolerance: 0.005,
    lr_drop_before_stop: false,
    patience: 3,
    min_delta: 0,
    start_from_eval: 0,
    restore_best: true,
    ...over,
  };
}

function evalsOf(values: readonly number[]): EvalPoint[] {
  return values.map((value, i) => ({ step: (i + 1) * 100, tokens: (i + 1) * 10_000, value }));
}

/** Feeds the evals one by one; the index and decision of the first stop, or null. */

interface TfArgs {
  mode: Mode;
  minDelta: number;
  patience: number;
  baseline?: number | undefined;
}

/** The epoch at which TF.js's own EarlyStopping sets `model.stopTraining`, or null. */
async function tfjsStopEpoch(values: readonly number[], args: TfArgs): Promise<number | null> {
  const callback = tf.callbacks.earlyStopping({ monitor: 'val_acc', ...args });
  const model = { stopTraining: false };
  (callback as unknown as { model: unknown }).model = model;
  await callback.onTrainBegin();
  for (let epoch = 0; epoch < values.length; epoch++) {
    await callback.onEpochEnd(epoch, { val_acc: values[epoch] ?? Number.NaN });
    if (model.stopTraining) return epoch;
  }
  return null;
}

/** A noisy learning curve quantised to 0.01 (ties and exact min_delta steps happen often). */
function randomCurve(next: () => number, length: number): number[] {
  const values: number[] = [];
  let level = 0.3 + next() * 0.2;
  for (let i = 0; i < length; i++) {
    level += (next() - 0.3) * 0.04;
    values.push(Math.round((level + (next() - 0.5) * 0.03) * 100) / 100);
  }
  return values;
}

describe('patience', () => {
  it('stops at eval 4 with reason patience after 3 evals without improvement', () => {
    const stop = firstStop(
      createPatiencePolicy(options(), run('max')),
      evalsOf([0.1, 0.5, 0.4, 0.5, 0.45, 0.6]),
    );
    expect(stop?.index).toBe(4);
    expect(stop?.decision).toMatchObject({ kind: 'stop', reason: 'patience' });
  });

  it('stops exactly where TF.js EarlyStopping stops, over random curves and options', async () => {
    const next = mulberry32(20240607);
    let compared = 0;
    let stopped = 0;
    for (let trial = 0; trial < 600; trial++) {
      const mode: Mode = trial % 2 === 0 ? 'max' : 'min';
      const raw = randomCurve(next, 25);
      const values = mode === 'max' ? raw : raw.map((v) => Math.round((1 - v) * 100) / 100);
      const minDelta = [0, 0.01, 0.005, 0.02, 0.03][Math.floor(next() * 5)] ?? 0;
      const patience = [0, 1, 2, 3, 5, 8, 12][Math.floor(next() * 7)] ?? 0;
      const first = values[0] ?? 0;
      const baseline = next() < 0.5 ? undefined : Math.round((first + (next() - 0.3) * 0.2) * 100) / 100;
      const expected = await tfjsStopEpoch(values, { mode, minDelta, patience, baseline });
      const policy = createPatiencePolicy(
        options({ mode, min_delta: minDelta, patience, baseline }),
        run(mode),
      );
      const actual = firstStop(policy, evalsOf(values));
      expect(actual?.index ?? null, JSON.stringify({ values, mode, minDelta, patience, baseline })).toBe(
        expected,
      );
      compared++;
      if (expected !== null) stopped++;
    }
    expect(compared).toBe(600);
    // The sample must exercise both outcomes, or the comparison proves little.
    expect(stopped).toBeGreaterThan(100);
    expect(stopped).toBeLessThan(550);
  });

  it('applies min_delta as Keras does in min mode: value + min_delta < best', () => {
    const policy = createPatiencePolicy(options({ mode: 'min', patience: 1, min_delta: 0.1 }), run('min'));
    // 0.95 is lower than 1.0 but not by more than 0.1: no improvement, so patience 1 stops there.
    expect(firstStop(policy, evalsOf([1.0, 0.95, 0.5]))?.index).toBe(1);
  });

  it('says baseline when the baseline was never beaten, and patience once it was', async () => {
    const never = firstStop(
      createPatiencePolicy(options({ patience: 2, baseline: 0.5 }), run('max')),
      evalsOf([0.3, 0.4, 0.45, 0.6]),
    );
    expect(never?.index).toBe(1);
    expect(never?.decision).toMatchObject({ kind: 'stop', reason: 'baseline' });
    expect(
      await tfjsStopEpoch([0.3, 0.4, 0.45, 0.6], { mode: 'max', minDelta: 0, patience: 2, baseline: 0.5 }),
    ).toBe(1);

    const beaten = firstStop(
      createPatiencePolicy(options({ patience: 2, baseline: 0.5 }), run('max')),
      evalsOf([0.6, 0.55, 0.58]),
    );
    expect(beaten).toMatchObject({ index: 2, decision: { reason: 'patience' } });
  });

  it('ignores evals before start_from_eval entirely (Keras start_from_epoch)', () => {
    const values = [0.9, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2];
    const from0 = firstStop(createPatiencePolicy(options({ patience: 2 }), run('max')), evalsOf(values));
    expect(from0?.index).toBe(2);
    // From eval 3 on, 0.2 is the first value seen, so the high eval 0 does not count against it.
    const from3 = firstStop(
      createPatiencePolicy(options({ patience: 2, start_from_eval: 3 }), run('max')),
      evalsOf(values),
    );
    expect(from3?.index).toBe(5);
  });

  it('with start_from_eval k, stops where TF.js stops on the evals from k on, shifted by k', async () => {
    const next = mulberry32(99);
    for (let trial = 0; trial < 100; trial++) {
      const mode: Mode = trial % 2 === 0 ? 'max' : 'min';
      const values = randomCurve(next, 25);
      const start = Math.floor(next() * 8);
      const patience = 1 + Math.floor(next() * 4);
      const expected = await tfjsStopEpoch(values.slice(start), { mode, minDelta: 0, patience });
      const policy = createPatiencePolicy(options({ mode, patience, start_from_eval: start }), run(mode));
      expect(firstStop(policy, evalsOf(values))?.index ?? null).toBe(
        expected === null ? null : expected + start,
      );
    }
  });

  it('decides the same after a snapshot/restore at every eval', () => {
    const next = mulberry32(5);
    for (const mode of ['max', 'min'] as const) {
      const evals = evalsOf(randomCurve(next, 30));
      const opts = options({ mode, patience: 4, min_delta: 0.01, baseline: 0.35, start_from_eval: 2 });
      for (let k = 0; k < evals.length; k++) {
        const original = createPatiencePolicy(opts, run(mode));
        for (let i = 0; i <= k; i++) original.decide({ evals: evals.slice(0, i + 1), peers: [] });
        const resumed = createPatiencePolicy(opts, run(mode));
        resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
        for (let i = k + 1; i < evals.length; i++) {
          const input = { evals: evals.slice(0, i + 1), peers: [] };
          expect(resumed.decide(input)).toEqual(original.decide(input));
        }
      }
    }
  });

  it('never lets evals after the stop change where it stops', () => {
    const next = mulberry32(11);
    for (let trial = 0; trial < 50; trial++) {
      const values = randomCurve(next, 30);
      const stop = firstStop(createPatiencePolicy(options({ patience: 2 }), run('max')), evalsOf(values));
      if (stop === null) continue;
      const changed = values.map((v, i) => (i > stop.index ? next() : v));
      expect(
        firstStop(createPatiencePolicy(options({ patience: 2 }), run('max')), evalsOf(changed))?.index,
      ).toBe(stop.index);
    }
  });

  it('rejects options it cannot work with, naming the option and the value', () => {
    expect(() => createPatiencePolicy(options({ patience: -1 }), run('max'))).toThrow(
      'patience: expected a non-negative integer, got -1',
    );
    expect(() => createPatiencePolicy(options({ patience: 1.5 }), run('max'))).toThrow('patience');
    expect(() => createPatiencePolicy(options({ min_delta: -0.1 }), run('max'))).toThrow(
      'min_delta: expected a non-negative number, got -0.1',
    );
    expect(() => createPatiencePolicy(options({ start_from_eval: -2 }), run('max'))).toThrow(
      'start_from_eval',
    );
    expect(() => createPatiencePolicy(options({ baseline: Number.NaN }), run('max'))).toThrow('baseline');
    expect(() => createPatiencePolicy(options({ mode: 'max' }), run('min'))).toThrow(/mode: .*'min'.*'max'/);
    try {
      createPatiencePolicy(options({ patience: -1 }), run('max'));
    } catch (error) {
      expect((error as Error).name).toBe('PolicyOptionsError');
    }
  });
});
