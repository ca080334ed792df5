import type { Mode } from './types';

/**
 * Small numeric helpers shared by the stopping policies: robust noise and trend of a learning
 * curve, Optuna/numpy-compatible percentiles, JSON-safe floats for snapshots, and the option
 * checks every policy makes. All pure and allocation-light: replay calls them ~10^5 times.
 */

/** The value turned into "higher is better", so the rest of a policy can think in `max` only. */
export function toGain(value: number, mode: Mode): number {
  return mode === 'max' ? value : -value;
}

/**
 * Median of a non-empty array; reorders `xs` in place. Replay spends most of its time here, on
 * windows of at most a few dozen values, once per eval: a selection (quickselect, each pass
 * keeping the side that holds the middle) finds the middle value without sorting the rest, and
 * the lower middle of an even count is then the largest value left of it. The values are finite,
 * so what it finds is what a sort would put there, up to the sign of zero, which no caller can
 * tell apart.
 */
function medianInPlace(xs: Float64Array): number {
  const n = xs.length;
  const mid = n >> 1;
  const hi = selectInPlace(xs, mid);
  if (n % 2 === 1) return hi;
  let lo = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < mid; i++) if ((xs[i] as number) > lo) lo = xs[i] as number;
  return (lo + hi) / 2;
}

/** The value of rank `k` (0-based) in `xs`, leaving every smaller rank before it (Hoare's selection). */
function selectInPlace(xs: Float64Array, k: number): number {
  let left = 0;
  let right = xs.length - 1;
  while (left < right) {
    const pivot = xs[(left + right) >> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((xs[i] as number) < pivot) i++;
      while ((xs[j] as number) > pivot) j--;
      if (i <= j) {
        const t = xs[i] as number;
        xs[i] = xs[j] as number;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return xs[k] ?? Number.NaN;
}

/**
 * `numpy.nanpercentile(values, q)` with numpy's default `linear` method, as Optuna's pruners use
 * it: NaN values are ignored, and NaN is returned when none is left. `q` is in [0, 100].
 */
export function nanPercentile(values: readonly number[], q: number): number {
  const xs = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const h = ((xs.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const t = h - lo;
  const a = xs[lo] ?? Number.NaN;
  const b = xs[Math.min(lo + 1, xs.length - 1)] ?? a;
  const diff = b - a;
  // numpy's _lerp interpolates from the nearer end, so the result is exact at t = 0 and t = 1.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Consistency constant of the MAD for a normal distribution (σ ≈ 1.4826 · MAD). */
const MAD_TO_SIGMA = 1.4826;
/** σ ≈ 1.2533 · mean absolute deviation for a normal distribution (√(π/2)). */
const MEAN_ABS_TO_SIGMA = Math.sqrt(Math.PI / 2);

/**
 * Robust per-eval noise σ of `gains[from..to]` (inclusive), from first differences: the
 * difference of two evals carries √2 σ of noise, while a smooth trend only shifts the differences
 * (their median), so the spread around the median difference measures noise, not progress.
 * Uses the MAD, falling back to the mean absolute deviation when more than half the differences
 * are identical (quantised metrics such as EM on a small validation set). 0 with < 2 differences.
 */
export function noiseScale(gains: ArrayLike<number>, from: number, to: number): number {
  const start = Math.max(from, 0) + 1;
  const diffs = scratch(0, to - start + 1);
  let n = 0;
  for (let i = start; i <= to; i++) {
    const d = (gains[i] ?? Number.NaN) - (gains[i - 1] ?? Number.NaN);
    if (Number.isFinite(d)) diffs[n++] = d;
  }
  if (n < 2) return 0;
  const work = scratch(1, n).subarray(0, n);
  work.set(diffs.subarray(0, n));
  const center = medianInPlace(work);
  // Deviations in eval order, so the mean sums them in the order it always has.
  let meanAbs = 0;
  for (let i = 0; i < n; i++) {
    work[i] = Math.abs((diffs[i] as number) - center);
    meanAbs += work[i] as number;
  }
  meanAbs /= n;
  const mad = medianInPlace(work);
  // A MAD that is only float dust (identical differences up to rounding) counts as zero.
  const spread = mad > 1e-6 * meanAbs ? MAD_TO_SIGMA * mad : MEAN_ABS_TO_SIGMA * meanAbs;
  return spread / Math.SQRT2;
}

/**
 * Scratch buffers of `noiseScale`, kept between calls (it runs at every eval of every run a
 * replay decides on, and allocating its arrays each time cost more than the arithmetic); grown
 * to the largest size asked. No call can interleave with another: they are synchronous.
 */
const buffers: Float64Array[] = [new Float64Array(64), new Float64Array(64)];
function scratch(which: 0 | 1, size: number): Float64Array {
  let buffer = buffers[which] as Float64Array;
  if (buffer.length < size) {
    buffer = new Float64Array(Math.max(size, 2 * buffer.length));
    buffers[which] = buffer;
  }
  return buffer;
}

/** Least-squares slope of y on x and its standard error. */
export interface Trend {
  slope: number;
  /** Standard error of the slope; Infinity when it cannot be estimated (< 3 points, one x). */
  slopeSe: number;
}

/** Ordinary least squares of `ys[from..to]` on `xs[from..to]` (inclusive), skipping non-finite points. */
export function linearTrend(xs: readonly number[], ys: readonly number[], from: number, to: number): Trend {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = Math.max(from, 0); i <= to; i++) {
    const x = xs[i] ?? Number.NaN;
    const y = ys[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++;
    sx += x;
    sy += y;
  }
  if (n < 3) return { slope: 0, slopeSe: Number.POSITIVE_INFINITY };
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = Math.max(from, 0); i <= to; i++) {
    const x = xs[i] ?? Number.NaN;
    const y = ys[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    sxx += (x - mx) * (x - mx);
    sxy += (x - mx) * (y - my);
  }
  if (sxx <= 0) return { slope: 0, slopeSe: Number.POSITIVE_INFINITY };
  const slope = sxy / sxx;
  let ssr = 0;
  for (let i = Math.max(from, 0); i <= to; i++) {
    const x = xs[i] ?? Number.NaN;
    const y = ys[i] ?? Number.NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const r = y - my - slope * (x - mx);
    ssr += r * r;
  }
  return { slope, slopeSe: Math.sqrt(ssr / (n - 2) / sxx) };
}
