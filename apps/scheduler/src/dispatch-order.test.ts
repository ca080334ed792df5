import { describe, expect, it } from 'vitest';
import { byPromise, outcomeModeOf, promise } from './dispatch-order';

const runs = [0, 1, 2, 3, 4].map((trial) => ({ id: `e/${trial}`, trial }));
const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);
const values = (entries: [string, number | null, number | null][]) =>
  new Map(entries.map(([id, rank, value]) => [id, { rank, value }]));

describe('dispatch order', () => {
  it('puts the highest predicted rank first, ties in trial order, whatever the mode', () => {
    const predicted = values([
      ['e/0', 0.2, 9],
      ['e/1', 0.9, 1],
      ['e/2', 0.5, 5],
      ['e/3', 0.9, 2],
      ['e/4', 0.1, 3],
    ]);
    for (const mode of ['max', 'min'] as const)
      expect(ids(byPromise(runs, promise(predicted, mode)))).toEqual(['e/1', 'e/3', 'e/2', 'e/0', 'e/4']);
  });

  it('falls back to the predicted value by the mode when a prediction has no rank', () => {
    const predicted = values([
      ['e/0', null, 0.2],
      ['e/1', 0.3, 0.9],
      ['e/2', 0.9, 0.5],
    ]);
    expect(ids(byPromise(runs, promise(predicted, 'max')))).toEqual(['e/1', 'e/2', 'e/0', 'e/3', 'e/4']);
    expect(ids(byPromise(runs, promise(predicted, 'min')))).toEqual(['e/0', 'e/2', 'e/1', 'e/3', 'e/4']);
  });

  it('keeps trial order without predictions, and puts unpredicted runs after the predicted ones', () => {
    expect(ids(byPromise([...runs].reverse(), promise(new Map(), 'max')))).toEqual(ids(runs));
    const some = values([
      ['e/3', 0.4, 0.4],
      ['e/2', Number.NaN, null],
    ]);
    expect(ids(byPromise(runs, promise(some, 'max')))).toEqual(['e/3', 'e/0', 'e/1', 'e/2', 'e/4']);
  });

  it('reads the mode from the policy: min only for a monitored metric that is better lower', () => {
    expect(outcomeModeOf({ name: 'patience', monitor: 'val_loss', mode: 'min' })).toBe('min');
    expect(outcomeModeOf({ name: 'auto', monitor: 'em', mode: 'max' })).toBe('max');
    expect(outcomeModeOf({ name: 'none' })).toBe('max');
  });
});
