import { describe, expect, it } from 'vitest';
import { taskDefaults } from './registry.js';
import { measuredDefaults } from './task-defaults.js';

const budget = (family: 'add' | 'reverse' | 'sort' | 'kv-qa', params: Record<string, unknown> = {}) =>
  taskDefaults({ family, params }).budgetTokens;

describe('measuredDefaults', () => {
  it('gives 1.25 × the tokens to plateau, evaluated 30 times', () => {
    expect(measuredDefaults(12, 10_000)).toEqual({ budgetTokens: 150_000, evalEveryTokens: 5_000 });
  });

  it('evaluates at least once every token on a tiny budget', () => {
    expect(measuredDefaults(1, 1)).toEqual({ budgetTokens: 1, evalEveryTokens: 1 });
  });
});

describe('default budgets at the default params', () => {
  it.each([
    // family, examples to plateau × tokens per example × 1.25, eval every budget / 30
    ['add', 5_568_750, 185_625], // 15000 × 3³ × (7 + 4)
    ['reverse', 225_000, 7_500], // 2500 × 6 × (6 + 6)
    ['sort', 540_000, 18_000], // 6000 × 6 × (6 + 6)
    ['kv-qa', 1_087_500, 36_250], // 30000 × (4 × 6 + 3 + 2)
  ] as const)('%s: %i tokens, an eval every %i', (family, budgetTokens, evalEveryTokens) => {
    expect(taskDefaults({ family })).toEqual({ budgetTokens, evalEveryTokens });
  });
});

describe('default budgets grow with difficulty', () => {
  it('add: as digits³ examples', () => {
    expect(budget('add', { digits: 2 })).toBe(1_200_000);
    expect(budget('add', { digits: 4 })).toBeGreaterThan(budget('add', { digits: 3 }));
  });

  it('reverse and sort: with length, not vocab', () => {
    for (const family of ['reverse', 'sort'] as const) {
      expect(budget(family, { length: 10 })).toBeGreaterThan(budget(family, { length: 6 }));
      expect(budget(family, { vocab: 20 })).toBe(budget(family));
    }
    expect(budget('reverse', { length: 5 })).toBe(156_250);
  });

  it('kv-qa: with the tokens of an example (a constant 30000 examples)', () => {
    expect(budget('kv-qa', { pairs: 4 })).toBe(1_087_500);
    expect(budget('kv-qa', { pairs: 2, key_length: 1 })).toBe(1.25 * 30_000 * (2 * 5 + 2 + 2));
  });
});
