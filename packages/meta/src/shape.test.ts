import { describe, expect, it } from 'vitest';
import { checkpointOf, shapeAt } from './shape.js';

const evals = [
  { tokens: 100, value: 0.2 },
  { tokens: 200, value: 0.5 },
  { tokens: 300, value: 0.4 },
  { tokens: 400, value: 0.3 },
];

describe('curve shape', () => {
  it('summarises the evals up to the checkpoint, scale-free', () => {
    expect(shapeAt(evals, 1000, 'max', 0.4)).toEqual({
      bestFraction: 0.2,
      bestRel: 0.5,
      lastRel: (0.3 - 0.2) / 0.3,
      trend: ((0.4 + 0.3) / 2 - (0.2 + 0.5) / 2) / 0.3,
    });
    const scaled = shapeAt(
      evals.map((e) => ({ tokens: e.tokens * 7, value: e.value * 100 + 5 })),
      7000,
      'max',
      0.4,
    );
    expect(scaled?.bestRel).toBeCloseTo(0.5, 12);
    expect(scaled?.lastRel).toBeCloseTo((0.3 - 0.2) / 0.3, 12);
  });

  it('reads a loss (mode min) as better lower, and ignores evals past the checkpoint', () => {
    const loss = shapeAt(evals, 1000, 'min', 0.2);
    expect(loss).toEqual({ bestFraction: 0.1, bestRel: 0.5, lastRel: 0, trend: -1 });
  });

  it('has no shape before the first eval, and picks the latest checkpoint reached', () => {
    expect(shapeAt(evals, 1000, 'max', 0.05)).toBeNull();
    expect(shapeAt([], 1000, 'max', 0.5)).toBeNull();
    expect(checkpointOf([], 1000)).toBe(0);
    expect(checkpointOf(evals.slice(0, 2), 1000)).toBe(0.2);
    expect(checkpointOf(evals, 1000)).toBe(0.3);
    expect(checkpointOf([{ tokens: 950, value: 1 }], 1000)).toBe(0);
    expect(
      checkpointOf(
        [
          { tokens: 880, value: 1 },
          { tokens: 950, value: 1 },
        ],
        1000,
      ),
    ).toBe(0.9);
    expect(checkpointOf(evals, 0)).toBe(0);
  });
});
