import { describe, expect, it } from 'vitest';
import { axisTo, maxOf, niceCeil, niceTicks, plotOf } from './chart';

describe('chart scales', () => {
  it('picks ticks at 1, 2 or 5 times a power of ten, without float noise', () => {
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(0, 0.8)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 2_000_000)).toEqual([0, 500_000, 1_000_000, 1_500_000, 2_000_000]);
    expect(niceTicks(0, 0.03)).toEqual([0, 0.01, 0.02, 0.03]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it('ends an axis on a labelled tick at or above the largest value', () => {
    expect(niceCeil(1000)).toBe(1000);
    expect(niceCeil(0.84)).toBe(1);
    expect(niceCeil(0.0123)).toBe(0.015);
    expect(niceCeil(0)).toBe(1);
    const axis = axisTo(1234, 'tokens', String);
    expect(axis.max).toBeGreaterThanOrEqual(1234);
    expect(axis.ticks.at(-1)).toBe(axis.max);
  });

  it('maps data into the plot area with y growing upwards', () => {
    const plot = plotOf(axisTo(100, 'x', String), axisTo(1, 'y', String));
    expect(plot.x(0)).toBeLessThan(plot.x(100));
    expect(plot.y(0)).toBeGreaterThan(plot.y(1));
  });

  it('finds the largest of many values without spreading them into a call', () => {
    expect(maxOf(Array.from({ length: 300_000 }, (_, i) => i))).toBe(299_999);
    expect(maxOf([])).toBe(0);
  });
});
