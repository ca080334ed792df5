import { describe, expect, it } from 'vitest';
import type { EvalPoint } from '../types';
import { lossStillFalling } from './loss-still-falling';

const evals = (losses: readonly (number | undefined)[]): EvalPoint[] =>
  losses.map((loss, i) => ({
    step: i + 1,
    tokens: (i + 1) * 100,
    value: 0.5,
    ...(loss === undefined ? {} : { metrics: { loss } }),
  }));

describe('lossStillFalling', () => {
  it('sees a steadily falling validation loss', () => {
    expect(lossStillFalling(evals([1, 0.95, 0.91, 0.86, 0.82, 0.77, 0.73, 0.7]), 10_000)).toBe(true);
  });

  it('does not see it on a flat or noisy loss, or a rising one', () => {
    expect(lossStillFalling(evals([0.7, 0.71, 0.69, 0.7, 0.72, 0.69, 0.7, 0.71]), 10_000)).toBe(false);
    expect(lossStillFalling(evals([0.7, 0.72, 0.74, 0.76, 0.78, 0.8]), 10_000)).toBe(false);
  });

  it('needs a loss on at least 4 recent evals (curves without one never veto)', () => {
    expect(lossStillFalling(evals([1, 0.9, 0.8]), 10_000)).toBe(false);
    expect(lossStillFalling(evals([undefined, undefined, undefined, undefined, undefined]), 10_000)).toBe(
      false,
    );
  });
});
