import { describe, expect, it } from 'vitest';
import type { EvalPoint } from '../types';
import { createNonePolicy } from './none';

const run = { id: 'r', budgetTokens: 10_000, mode: 'max' as const };

function evalsOf(values: readonly number[]): EvalPoint[] {
  return values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 1_000, value }));
}

describe('none', () => {
  it('never stops a run, however flat or bad: the trainer ends it at its budget', () => {
    const policy = createNonePolicy({ name: 'none' }, run);
    const evals = evalsOf([0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    const peers = [{ id: 'p', budgetTokens: 10_000, evals: evalsOf([0.9, 0.9]), finished: true }];
    for (let i = 0; i < evals.length; i++) {
      expect(policy.decide({ evals: evals.slice(0, i + 1), peers })).toEqual({ kind: 'continue' });
    }
  });

  it('decides the same after a snapshot/restore', () => {
    const original = createNonePolicy({ name: 'none' }, run);
    original.decide({ evals: evalsOf([0.5]), peers: [] });
    const resumed = createNonePolicy({ name: 'none' }, run);
    resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
    const input = { evals: evalsOf([0.5, 0.4]), peers: [] };
    expect(resumed.decide(input)).toEqual(original.decide(input));
  });
});
