import { describe, expect, it } from 'vitest';
import { peakRanks } from './outcome.js';

describe('peakRanks', () => {
  it("gives each run its peak's place among its task's runs, 1 the best, by the task's mode", () => {
    const runs = [
      { task: 'a', peakValue: 0.2 },
      { task: 'a', peakValue: 0.8 },
      { task: 'a', peakValue: 0.5 },
      { task: 'loss', peakValue: 3.1, mode: 'min' as const },
      { task: 'loss', peakValue: 2.9, mode: 'min' as const },
      { task: 'loss', peakValue: 2.9, mode: 'min' as const },
      { task: 'alone', peakValue: 7 },
    ];
    expect(peakRanks(runs)).toEqual([0, 1, 0.5, 0, 0.75, 0.75, 0.5]);
  });
});
