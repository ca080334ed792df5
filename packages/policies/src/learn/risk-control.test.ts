import { describe, expect, it } from 'vitest';
import { chooseRule, normalQuantile, type RiskTable } from './risk-control';

/** A table of `units` units, each losing `loss(u, rule)` under rules 0..rules-1 (one condition). */
function table(units: number, rules: number, loss: (u: number, rule: number) => number): RiskTable {
  return {
    params: Array.from({ length: rules }, (_, q) => q),
    units: Array.from({ length: units }, (_, u) => ({
      name: `u${u}`,
      losses: Array.from({ length: rules }, (_, q) => [loss(u, q)]),
      saved: Array.from({ length: rules }, (_, q) => q / rules),
    })),
  };
}

describe('normalQuantile', () => {
  it('gives the standard normal quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281552, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('chooseRule (Learn-then-Test, fixed sequence)', () => {
  const t = 0.01;

  it('takes the most aggressive rule before the first that fails', () => {
    // Every unit loses 0.2 t per rule: rules 0..5 stay within the tolerance (mean ≤ 1 t with no
    // spread), rule 6 (1.2 t) does not.
    expect(
      chooseRule(
        table(20, 10, (_, q) => 0.2 * q * t),
        t,
      ).index,
    ).toBe(5);
  });

  it('stops at the first failure even when a later rule would pass again', () => {
    const losses = (_: number, q: number) => (q === 2 ? 3 * t : 0);
    expect(chooseRule(table(20, 6, losses), t).index).toBe(1);
  });

  it('cannot pass anything with fewer units than the tail test needs, not even the rule that loses nothing', () => {
    expect(
      chooseRule(
        table(8, 3, () => 0),
        t,
      ),
    ).toEqual({ index: null, units: 8 });
    expect(
      chooseRule(
        table(9, 3, () => 0),
        t,
      ).index,
    ).toBe(2);
  });

  it('fails a rule under which more than one unit in ten (counting the new task) loses over twice the tolerance', () => {
    // One of 20 units loses 2.5 t: (1 + 1) / 21 < 0.1 passes; three do: (3 + 1) / 21 > 0.1 fails.
    const one = table(20, 2, (u, q) => (q === 1 && u === 0 ? 2.5 * t : 0));
    expect(chooseRule(one, t).index).toBe(1);
    const three = table(20, 2, (u, q) => (q === 1 && u < 3 ? 2.5 * t : 0));
    expect(chooseRule(three, t).index).toBe(0);
  });

  it('fails a rule whose mean is within the tolerance but whose upper confidence bound is not', () => {
    // Mean 0.9 t, but half the units lose nothing and half 1.8 t: the bound over 20 units is above 1.
    const spread = table(20, 2, (u, q) => (q === 1 ? (u % 2 === 0 ? 0 : 1.8 * t) : 0));
    expect(chooseRule(spread, t).index).toBe(0);
    // The same mean with no spread passes.
    expect(
      chooseRule(
        table(20, 2, (_, q) => q * 0.9 * t),
        t,
      ).index,
    ).toBe(1);
  });

  it('counts a unit replayed in several conditions by its mean loss and its share of conditions over 2× t', () => {
    const units = Array.from({ length: 20 }, (_, u) => ({
      name: `u${u}`,
      // Unit 0 loses 3 t in one of three conditions: a third of a unit over 2 t, a mean of 1 t.
      losses: [[0, 0, 0], u === 0 ? [3 * t, 0, 0] : [0, 0, 0]],
      saved: [0, 0.5],
    }));
    expect(chooseRule({ params: [0, 1], units }, t).index).toBe(1);
  });

  it('ignores units of weight 0, so what they lost does not count', () => {
    const bad = table(30, 2, (u, q) => (q === 1 && u < 10 ? 5 * t : 0));
    expect(chooseRule(bad, t).index).toBe(0);
    const weights = Array.from({ length: 30 }, (_, u) => (u < 10 ? 0 : 1));
    expect(chooseRule(bad, t, weights)).toEqual({ index: 1, units: 20 });
    expect(() => chooseRule(bad, t, [1, 1])).toThrow(RangeError);
  });
});
