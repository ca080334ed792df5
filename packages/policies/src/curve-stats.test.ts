import { describe, expect, it } from 'vitest';
import { linearTrend, nanPercentile, noiseScale } from './curve-stats';
import { decodeFloat, encodeFloat } from './option-checks';
import { mulberry32 } from './prng';

describe('nanPercentile', () => {
  it('gives what numpy.nanpercentile gives (linear interpolation, NaN ignored)', () => {
    expect(nanPercentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(nanPercentile([1, 2, 3, 4], 25)).toBe(1.75);
    expect(nanPercentile([1, Number.NaN, 3], 50)).toBe(2);
    expect(nanPercentile([7], 50)).toBe(7);
    expect(nanPercentile([Number.NaN], 50)).toBeNaN();
    expect(nanPercentile([], 50)).toBeNaN();
  });
});

describe('noiseScale', () => {
  it('ignores a steady trend and measures the scatter around it', () => {
    const ramp = Array.from({ length: 20 }, (_, i) => 0.1 + 0.01 * i);
    expect(noiseScale(ramp, 0, ramp.length - 1)).toBeCloseTo(0, 12);
    const zigzag = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.01 : -0.01));
    const withTrend = zigzag.map((v, i) => v + 0.05 * i);
    expect(noiseScale(withTrend, 0, 19)).toBeCloseTo(noiseScale(zigzag, 0, 19), 12);
    expect(noiseScale(zigzag, 0, 19)).toBeGreaterThan(0.01);
  });

  it('scales with the noise, and is 0 with fewer than 3 points', () => {
    const base = [0.3, 0.5, 0.2, 0.6, 0.4, 0.1, 0.7];
    expect(
      noiseScale(
        base.map((v) => 3 * v),
        0,
        6,
      ),
    ).toBeCloseTo(3 * noiseScale(base, 0, 6), 12);
    expect(noiseScale([1, 2], 0, 1)).toBe(0);
  });

  it('takes its medians exactly as a full sort would, odd and even counts, ties and all', () => {
    const sortedMedian = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
    };
    // noiseScale as it was written before its medians were selections: sort, then pick.
    const bySort = (gains: number[]) => {
      const diffs = gains.slice(1).map((g, i) => g - (gains[i] as number));
      const center = sortedMedian(diffs);
      const deviations = diffs.map((d) => Math.abs(d - center));
      const meanAbs = deviations.reduce((a, b) => a + b, 0) / deviations.length;
      const mad = sortedMedian(deviations);
      return (mad > 1e-6 * meanAbs ? 1.4826 * mad : Math.sqrt(Math.PI / 2) * meanAbs) / Math.SQRT2;
    };
    const uniform = mulberry32(16);
    for (let n = 3; n <= 70; n++) {
      for (const step of [0, 0.01]) {
        // Rounded to a grid, so that many differences tie.
        const gains = Array.from({ length: n }, () => Math.round(uniform() * 8) / 8 + step);
        expect(noiseScale(gains, 0, n - 1)).toBe(bySort(gains));
      }
    }
  });
});

describe('linearTrend', () => {
  it('recovers an exact line with zero standard error', () => {
    const xs = [0, 0.25, 0.5, 0.75, 1];
    const trend = linearTrend(
      xs,
      xs.map((x) => 2 * x + 1),
      0,
      4,
    );
    expect(trend.slope).toBeCloseTo(2, 12);
    expect(trend.slopeSe).toBeCloseTo(0, 12);
  });

  it('cannot estimate a slope from fewer than 3 points', () => {
    expect(linearTrend([0, 1], [0, 1], 0, 1).slopeSe).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('encodeFloat', () => {
  it('survives JSON, infinities and NaN included', () => {
    for (const x of [0.25, -3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      expect(decodeFloat(JSON.parse(JSON.stringify(encodeFloat(x))), 'x')).toBe(x);
    }
    expect(() => decodeFloat(null, 'patience: state.best')).toThrow('patience: state.best');
  });
});
