import { describe, expect, it } from 'vitest';
import { padIds, stripPadding } from './padding.js';

describe('padding', () => {
  it('pads to a length and strips trailing pads only', () => {
    expect(padIds([3, 4], 4)).toEqual([3, 4, 0, 0]);
    expect(stripPadding([3, 0, 4, 0, 0])).toEqual([3, 0, 4]);
    expect(stripPadding([0, 0])).toEqual([]);
    expect(() => padIds([1, 2, 3], 2)).toThrow('longer');
  });
});
