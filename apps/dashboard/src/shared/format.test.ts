import { describe, expect, it } from 'vitest';
import { formatCount, formatEm, formatPercent, formatTick, formatTokensShort } from './format';

describe('number formats', () => {
  it('groups thousands the same way on every machine', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });

  it('shortens token counts for axis labels', () => {
    expect([0, 500, 50_000, 1_250_000, 2_000_000_000].map(formatTokensShort)).toEqual([
      '0',
      '500',
      '50k',
      '1.25M',
      '2B',
    ]);
  });

  it('shows EM with three decimals, fractions as percentages, and a dash for missing values', () => {
    expect(formatEm(0.8)).toBe('0.800');
    expect(formatEm(null)).toBe('–');
    expect(formatPercent(1 - 1600 / 3000)).toBe('46.7%');
    expect(formatPercent(0.5, 0)).toBe('50%');
    expect(formatPercent(null)).toBe('–');
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
  });
});
