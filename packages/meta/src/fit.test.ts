import { describe, expect, it } from 'vitest';
import { type FitRun, fitState, MetaFitError, spreadSample } from './fit.js';
import { betterOverTasks, signTestP } from './fit-checkpoint.js';
import { binsToInterval, densestBins, predictKernel } from './kernel.js';
import { checkpointAnswers, encodeFeatures, kindOf } from './model-state.js';
import { checkpointOf, shapeAt } from './shape.js';
import { fitRunsOf, syntheticCurves } from './test-curves.js';

const fitRuns = (tasks: string[]) => fitRunsOf(syntheticCurves(tasks));

/** The prediction for a run given its evals up to `upTo` of the budget (0: before it starts). */
function predictAt(fitted: ReturnType<typeof fitState>, run: FitRun, upTo: number) {
  const { state, representatives } = fitted;
  const encoded = representatives.map((r) => encodeFeatures(state, r.features));
  const budget = run.budgetTokens ?? 0;
  const evals = (run.evals ?? []).filter((e) => e.tokens <= upTo * budget);
  const checkpoint = checkpointOf(evals, budget);
  const shape = shapeAt(evals, budget, run.mode ?? 'max', checkpoint);
  return predictKernel(state, representatives, encoded, {
    encoded: encodeFeatures(state, run.features),
    family: typeof run.features.family === 'string' ? run.features.family : null,
    kind: kindOf(run.features),
    checkpoint,
    shape,
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

describe('checkpointAnswers', () => {
  it('answers the kinds listed, defers those in start, and goes by unseen for the rest', () => {
    const kinds = { answers: ['em'], start: ['bleu'], unseen: false };
    expect(checkpointAnswers({ at: 0.3, kinds }, 'em')).toBe(true);
    expect(checkpointAnswers({ at: 0.3, kinds }, 'bleu')).toBe(false);
    expect(checkpointAnswers({ at: 0.3, kinds }, 'wer')).toBe(false);
    expect(checkpointAnswers({ at: 0.3, kinds }, null)).toBe(false);
    expect(checkpointAnswers({ at: 0.3, kinds: { ...kinds, unseen: true } }, null)).toBe(true);
    expect(checkpointAnswers({ at: 0, kinds }, 'bleu')).toBe(true);
    expect(checkpointAnswers({ at: 0.3 }, 'bleu')).toBe(true);
    expect(checkpointAnswers({ at: 0.3, kinds: { answers: ['em'] } }, 'wer')).toBe(true);
    expect(kindOf({ metric: 3 })).toBeNull();
    expect(kindOf({ metric: 'em' })).toBe('em');
  });
});

describe('fitState', () => {
  it('learns that a high learning rate in its sweep peaks early, and beats the median on held-out tasks', () => {
    const runs = fitRuns(['a', 'b', 'c', 'd']);
    const fitted = fitState(runs);
    const { state } = fitted;
    expect(state.numeric.map((f) => f.key).some((k) => k.startsWith('lr'))).toBe(true);
    expect(state.loto.medianAbsError).toBeLessThan(state.loto.baselineMedianAbsError);
    expect(state.loto.coverage).toBeGreaterThanOrEqual(state.coverageTarget);
    const high = runs.find((r) => r.runId === 'a/11') as FitRun;
    const low = runs.find((r) => r.runId === 'a/0') as FitRun;
    expect(predictAt(fitted, high, 0)?.peakFraction).toBeCloseTo(0.2, 1);
    expect(predictAt(fitted, low, 0)?.peakFraction).toBeCloseTo(1, 1);
  });

  it('tells runs apart by their own curves once they have evals, where their features say nothing', () => {
    const runs = fitRuns(['a', 'b', 'c', 'd']).map((r) => ({ ...r, features: { family: 'kv-qa' } }));
    const fitted = fitState(runs);
    const early = runs.find((r) => r.runId === 'a/11') as FitRun;
    const late = runs.find((r) => r.runId === 'a/0') as FitRun;
    const before = [predictAt(fitted, early, 0), predictAt(fitted, late, 0)];
    expect(before[0]?.peakFraction).toBe(before[1]?.peakFraction);
    // At 30% the early peaker has fallen for a tenth of the budget: it has peaked, at 20%.
    const after = [predictAt(fitted, early, 0.3), predictAt(fitted, late, 0.3)];
    expect(after[0]?.peakFraction).toBeCloseTo(0.2, 2);
    expect(after[1]?.peakFraction).toBeCloseTo(1, 1);
    const cp = fitted.state.checkpoints.find((c) => c.at === 0.3);
    expect(cp?.shapeWeights.some((w) => w > 0)).toBe(true);
    expect(cp?.loto.medianAbsError).toBeLessThan(fitted.state.loto.medianAbsError);
    expect(cp?.loto.medianWidth).toBeLessThan(fitted.state.loto.medianWidth);
  });

  it('answers at a checkpoint only the kinds whose own curves it predicts better than before the start', () => {
    // Kind em: the features say nothing, the curve's shape does. Kind bleu: the learning rate's
    // place in the sweep already says it all before the start, so the shape cannot do better.
    const em = fitRuns(['a', 'b', 'c', 'd']).map((r) => ({
      ...r,
      features: { family: 'kv-qa', metric: 'em' },
    }));
    const bleu = fitRunsOf(syntheticCurves(['e', 'f', 'g', 'h'])).map((r) => ({
      ...r,
      features: { ...r.features, metric: 'bleu' },
    }));
    const fitted = fitState([...em, ...bleu]);
    const cp = fitted.state.checkpoints.find((c) => c.at === 0.3);
    expect(cp?.kinds).toMatchObject({ answers: ['em'], start: ['bleu'] });
    expect(fitted.state.checkpoints[0]?.kinds).toBeUndefined();
    // A deferred kind's run is answered at 30% exactly as before it started.
    const run = bleu.find((r) => r.runId === 'e/11') as FitRun;
    expect(predictAt(fitted, run, 0.3)).toEqual(predictAt(fitted, run, 0));
    // An answered kind's runs, alike before the start, are told apart by their curves at 30%.
    const [early, late] = ['a/11', 'a/0'].map((id) => em.find((r) => r.runId === id) as FitRun);
    expect(predictAt(fitted, early as FitRun, 0)).toEqual(predictAt(fitted, late as FitRun, 0));
    expect(predictAt(fitted, early as FitRun, 0.3)?.peakFraction).toBeCloseTo(0.2, 2);
    expect(predictAt(fitted, late as FitRun, 0.3)?.peakFraction).toBeCloseTo(1, 1);
  });

  it('answers a kind only when enough of its tasks gain, by a sign test over tasks', () => {
    expect(signTestP(4, 4)).toBeCloseTo(1 / 16, 12);
    expect(signTestP(3, 3)).toBeCloseTo(1 / 8, 12);
    expect(signTestP(13, 18)).toBeCloseTo(0.0481, 4);
    expect(signTestP(0, 5)).toBe(1);
    expect(signTestP(0, 0)).toBe(1);
    // One task of many runs gains a lot, four small ones lose: the pooled median says better, the
    // tasks do not (what history of 37 did to FNG's fold at 10%).
    const rows = (task: number, n: number, here: number, before: number) =>
      Array.from({ length: n }, () => ({ task, here, before }));
    const split = (xs: { task: number; here: number; before: number }[]) =>
      [xs.map((x) => x.here), xs.map((x) => x.before), xs.map((x) => x.task)] as const;
    const oneBig = [rows(0, 20, 0.01, 0.1), ...[1, 2, 3, 4].map((t) => rows(t, 3, 0.2, 0.15))].flat();
    expect(betterOverTasks(...split(oneBig))).toBe(false);
    const allGain = [0, 1, 2, 3].flatMap((t) => rows(t, 3, 0.05, 0.1));
    expect(betterOverTasks(...split(allGain))).toBe(true);
    // Four of five better is p = 6/32; alike tasks do not count (four of four again, plus one tie).
    expect(betterOverTasks(...split([...allGain, ...rows(4, 3, 0.2, 0.1)]))).toBe(false);
    expect(betterOverTasks(...split([...allGain, ...rows(4, 3, 0.1, 0.1)]))).toBe(true);
    // The same curves as above, the shape as telling, but the kind in three tasks only: three of
    // three better is p = 1/8, short of the confidence, so 30% answers as before the start.
    const em = fitRuns(['a', 'b', 'c']).map((r) => ({ ...r, features: { family: 'kv-qa', metric: 'em' } }));
    const fitted = fitState(em);
    const cp = fitted.state.checkpoints.find((c) => c.at === 0.3);
    expect(cp?.kinds).toMatchObject({ answers: [], start: ['em'], unseen: false });
    const run = em.find((r) => r.runId === 'a/11') as FitRun;
    expect(predictAt(fitted, run, 0.3)).toEqual(predictAt(fitted, run, 0));
  });

  it('keeps no feature when none helps: every past run weighs the same', () => {
    // The same values among the early and the late peakers: it says nothing about the peak.
    const runs = fitRuns(['a', 'b', 'c']).map((r) => ({
      ...r,
      features: { noise: Number(r.runId.split('/')[1]) % 6 },
    }));
    const { state } = fitState(runs);
    expect(state.numeric).toEqual([]);
    expect(state.categories).toEqual([]);
  });

  it('keeps a bounded sample of history: at most maxRunsPerTask runs of a task', () => {
    const runs = fitRuns(['a', 'b', 'c']);
    const { state, representatives } = fitState(runs, { maxRunsPerTask: 5 });
    expect(representatives).toHaveLength(15);
    expect(state.representatives).toMatchObject({ perTask: 5, kept: 15, of: 36 });
  });

  it('refuses history of a single task', () => {
    expect(() => fitState(fitRuns(['a']))).toThrow(MetaFitError);
  });
});

describe('the weight search sample', () => {
  const runs = (task: string, peaks: (i: number) => number, n = 50): FitRun[] =>
    Array.from({ length: n }, (_, i) => ({
      runId: `${task}/${i}`,
      task,
      peakFraction: peaks(i),
      peakValue: 1,
      finalValue: 1,
      features: {},
    }));

  it('spends its runs on the tasks whose peaks spread over the budget', () => {
    const reps = [...runs('end-a', () => 1), ...runs('spread', (i) => i / 49), ...runs('end-b', () => 1)];
    const sample = spreadSample(reps, 30);
    const of = (task: string) => sample.filter((i) => reps[i]?.task === task).length;
    expect([of('end-a'), of('spread'), of('end-b')]).toEqual([3, 24, 3]);
    expect(new Set(sample).size).toBe(sample.length);
  });

  it('stays within its bound when history has more tasks than it', () => {
    const reps = Array.from({ length: 40 }, (_, t) => runs(`t${t}`, (i) => (i % 5) / 4, 5)).flat();
    expect(spreadSample(reps, 30)).toHaveLength(30);
  });
});
