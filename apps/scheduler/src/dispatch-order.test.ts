import { describe, expect, it } from 'vitest';
import { byPredictedOutcome, outcomeModeOf } from './dispatch-order';

const runs = [0, 1, 2, 3, 4].map((trial) => ({ id: `e/${trial}`, trial }));
const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);

describe('byPredictedOutcome', () => {
  it('puts the best predicted outcome first: highest for mode max, lowest for min, ties in trial order', () => {
    const predicted = new Map([
      ['e/0', 0.2],
      ['e/1', 0.9],
      ['e/2', 0.5],
      ['e/3', 0.9],
      ['e/4', 0.1],
    ]);
    expect(ids(byPredictedOutcome(runs, predicted, 'max'))).toEqual(['e/1', 'e/3', 'e/2', 'e/0', 'e/4']);
    expect(ids(byPredictedOutcome(runs, predicted, 'min'))).toEqual(['e/4', 'e/0', 'e/2', 'e/1', 'e/3']);
  });

  it('keeps trial order without predictions, and puts unpredicted runs after the predicted ones', () => {
    expect(ids(byPredictedOutcome([...runs].reverse(), new Map(), 'max'))).toEqual(ids(runs));
    const some = new Map([
      ['e/3', 0.4],
      ['e/2', Number.NaN],
    ]);
    expect(ids(byPredictedOutcome(runs, some, 'max'))).toEqual(['e/3', 'e/0', 'e/1', 'e/2', 'e/4']);
  });

  it('reads the mode from the policy: min only for a monitored metric that is better lower', () => {
    expect(outcomeModeOf({ name: 'patience', monitor: 'val_loss', mode: 'min' })).toBe('min');
    expect(outcomeModeOf({ name: 'auto', monitor: 'em', mode: 'max' })).toBe('max');
    expect(outcomeModeOf({ name: 'none' })).toBe('max');
  });
});
