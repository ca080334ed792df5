import { describe, expect, it } from 'vitest';
import { type FitRun, fitState, MetaFitError } from './fit.js';
import { curvesFeatures } from './history.js';
import { binsToInterval, densestBins, predictKernel } from './kernel.js';
import { encodeFeatures } from './model-state.js';
import { syntheticCurves } from './test-curves.js';

function fitRuns(tasks: string[]): FitRun[] {
  const curves = syntheticCurves(tasks);
  const features = curvesFeatures(curves);
  return curves.map((c, i) => {
    let best = 0;
    c.evals.forEach((e, k) => {
      if (e.value > (c.evals[best]?.value ?? 0)) best = k;
    });
    return {
      runId: c.id,
      task: c.task,
      peakFraction: (c.evals[best]?.tokens ?? 0) / c.budgetTokens,
      peakValue: c.evals[best]?.value ?? 0,
      finalValue: c.evals.at(-1)?.value ?? 0,
      features: features[i] ?? {},
    };
  });
}

describe('densest bins', () => {
  it('finds the narrowest run of bins holding the mass, the lower one on a tie', () => {
    const h = [0, 1, 1, 0, 0, 3, 0];
    expect(densestBins(h, 0.5)).toEqual([5, 5]);
    expect(densestBins(h, 0.7)).toEqual([2, 5]);
    expect(densestBins([1, 0, 1], 0.5)).toEqual([0, 0]);
    expect(binsToInterval([0, 100])).toEqual([0, 1]);
  });
});

describe('fitState', () => {
  it('learns that a high learning rate in its sweep peaks early, and beats the median on held-out tasks', () => {
    const runs = fitRuns(['a', 'b', 'c', 'd']);
    const state = fitState(runs);
    expect(state.numeric.map((f) => f.key).some((k) => k.startsWith('lr'))).toBe(true);
    expect(state.loto.medianAbsError).toBeLessThan(state.loto.baselineMedianAbsError);
    expect(state.loto.coverage).toBeGreaterThanOrEqual(state.coverageTarget);
    const encoded = runs.map((r) => encodeFeatures(state, r.features));
    const high = runs.find((r) => r.runId === 'a/11') as FitRun;
    const low = runs.find((r) => r.runId === 'a/0') as FitRun;
    const predict = (r: FitRun) =>
      predictKernel(state, runs, encoded, encodeFeatures(state, r.features))?.peakFraction ?? Number.NaN;
    expect(predict(high)).toBeCloseTo(0.2, 1);
    expect(predict(low)).toBeCloseTo(1, 1);
  });

  it('keeps no feature when none helps: every past run weighs the same', () => {
    // The same values among the early and the late peakers: it says nothing about the peak.
    const runs = fitRuns(['a', 'b', 'c']).map((r) => ({
      ...r,
      features: { noise: Number(r.runId.split('/')[1]) % 6 },
    }));
    const state = fitState(runs);
    expect(state.numeric).toEqual([]);
    expect(state.categories).toEqual([]);
  });

  it('refuses history of a single task', () => {
    expect(() => fitState(fitRuns(['a']))).toThrow(MetaFitError);
  });
});
