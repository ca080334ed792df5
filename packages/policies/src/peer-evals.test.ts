import { describe, expect, it } from 'vitest';
import { evalsUpTo, firstEvalAtOrAfter, runningBest } from './peer-evals';
import type { EvalPoint } from './types';

const evals = (values: number[]): EvalPoint[] =>
  values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 100, value }));

describe('peer eval lookups', () => {
  const e = evals([0.1, 0.2, 0.3]);

  it('finds the first eval at or after a token count, and counts the evals up to one', () => {
    expect(firstEvalAtOrAfter(e, 100)).toBe(0);
    expect(firstEvalAtOrAfter(e, 150)).toBe(1);
    expect(firstEvalAtOrAfter(e, 301)).toBe(-1);
    expect(evalsUpTo(e, 99)).toBe(0);
    expect(evalsUpTo(e, 200)).toBe(2);
    expect(evalsUpTo(e, 1e9)).toBe(3);
    expect(evalsUpTo([], 100)).toBe(0);
  });

  it('keeps the running best, oriented, skipping NaN', () => {
    expect(runningBest(evals([0.3, Number.NaN, 0.2, 0.5]), 1)).toEqual([0.3, 0.3, 0.3, 0.5]);
    // Oriented for a loss: the negated smallest so far.
    expect(runningBest(evals([0.3, 0.4, 0.1]), -1)).toEqual([-0.3, -0.3, -0.1]);
  });

  it('extends as the same array grows, and starts over when it is rewritten', () => {
    const grown = evals([0.1, 0.2]);
    expect(runningBest(grown, 1)).toEqual([0.1, 0.2]);
    grown.push({ step: 3, tokens: 300, value: 0.15 });
    expect(runningBest(grown, 1)).toEqual([0.1, 0.2, 0.2]);
    grown[2] = { step: 3, tokens: 300, value: 0.9 };
    expect(runningBest(grown, 1)).toEqual([0.1, 0.2, 0.9]);
    grown.length = 1;
    expect(runningBest(grown, 1)).toEqual([0.1]);
  });
});
