import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../prng';
import { CurveFitter, fitCurve } from './curve-fitter';
import { curveValue } from './models';
import { normalCdf, probabilityAbove } from './normal';

/** 40 evals of `f` at x = i/40 with seeded gaussian noise of sd `noise`. */
function curve(f: (x: number) => number, noise: number, seed = 7, count = 40) {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: count }, (_, i) => {
    const x = (i + 1) / count;
    return { x, y: f(x) + noise * g() };
  });
}

const truths = {
  power: (x: number) => curveValue('power', 0.5, 0.85, 0.1, x),
  exp: (x: number) => curveValue('exp', 6, 0.9, 0.8, x),
  log: (x: number) => curveValue('log', null, 0.7, 0.1, x),
};

describe('normalCdf', () => {
  it('matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalCdf(-8)).toBeLessThan(1e-14);
    expect(probabilityAbove(1, 0, 0.5)).toBe(1);
    expect(probabilityAbove(0.4, 0, 0.5)).toBe(0);
  });
});

describe('mulberry32', () => {
  it('is deterministic in its seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});

describe('curve fitting', () => {
  it.each(Object.entries(truths))(
    'recovers the %s family on a clean curve (value at the budget and asymptote)',
    (family, f) => {
      // exp's rate 6 lies between two grid rates: the grid costs it about 0.015 here
      const fc = fitCurve(curve(f, 0).slice(0, 20))!;
      expect(Math.abs(fc.value.mean - f(1))).toBeLessThan(0.02);
      const best = fc.models.filter((m) => m.family === family).sort((a, b) => b.weight - a.weight)[0]!;
      const top = fc.models.reduce((a, b) => (b.weight > a.weight ? b : a));
      expect(top.family).toBe(family);
      if (family !== 'log') {
        const asymptote = family === 'power' ? 0.85 : 0.9;
        expect(Math.abs(best.a - asymptote)).toBeLessThan(0.03);
      }
    },
  );

  it.each(Object.entries(truths))(
    'predicts the %s family at the budget from half a noisy curve',
    (_family, f) => {
      for (const seed of [1, 2, 3]) {
        const fc = fitCurve(curve(f, 0.01, seed).slice(0, 20), { bounds: { lo: 0, hi: 1 } })!;
        expect(Math.abs(fc.value.mean - f(1))).toBeLessThan(0.03);
        // the truth lies within the predictive interval
        expect(Math.abs(fc.value.mean - f(1))).toBeLessThan(3 * fc.value.sd);
      }
    },
  );

  it('sees no gain left on a saturated curve, and a large one on a steep curve', () => {
    const saturated = fitCurve(curve((x) => 0.8 - 0.8 * Math.exp(-25 * x), 0).slice(0, 24))!;
    expect(saturated.gain.mean).toBeLessThan(0.001);
    const steep = fitCurve(curve((x) => 0.9 - 0.85 * Math.exp(-2 * x), 0).slice(0, 10))!;
    expect(steep.gain.mean).toBeGreaterThan(0.2);
  });

  it('is more uncertain about noisier curves', () => {
    const f = (x: number) => 0.8 - 0.6 * Math.exp(-8 * x);
    const sds = [0, 0.01, 0.03].map((noise) => fitCurve(curve(f, noise).slice(0, 16))!.gain.sd);
    expect(sds[0]!).toBeLessThan(sds[1]!);
    expect(sds[1]!).toBeLessThan(sds[2]!);
  });

  it('clamps predictions to the bounds', () => {
    // a straight line rising fast: unbounded it would go well past 1
    const points = Array.from({ length: 6 }, (_, i) => ({ x: (i + 1) / 40, y: 0.3 + 0.1 * i }));
    const fc = fitCurve(points, { bounds: { lo: 0, hi: 1 } })!;
    expect(fc.value.mean).toBeLessThanOrEqual(1);
    expect(fc.models.every((m) => m.value <= 1)).toBe(true);
  });

  it('skips unusable points and needs two', () => {
    const fitter = new CurveFitter();
    expect(fitter.add({ x: 0, y: 1 })).toBe(false);
    expect(fitter.add({ x: 0.1, y: Number.NaN })).toBe(false);
    expect(fitter.add({ x: 0.1, y: 0.5 })).toBe(true);
    expect(fitter.forecast()).toBeNull();
  });

  it('gives the same forecast incrementally and in one go', () => {
    const points = curve(truths.exp, 0.02);
    const fitter = new CurveFitter();
    for (const p of points.slice(0, 15)) fitter.add(p);
    expect(fitter.forecast({ models: true })).toEqual(fitCurve(points.slice(0, 15)));
  });
});
