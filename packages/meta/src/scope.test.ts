import { metricKind } from '@curfew/policies';
import { describe, expect, it } from 'vitest';
import { type FitRun, fitState } from './fit.js';
import { MIN_FAMILY_TASKS, predictScoped, runScopeKey, scopedHistories, scopeOf, scopesOf } from './scope.js';
import { checkpointOf, shapeAt } from './shape.js';
import { fitRunsOf, kindCurves, syntheticCurves } from './test-curves.js';

const tasks = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const LOSS = { metric: 'val_loss', mode: 'min', family: 'lm', reversed: true } as const;

/** Every run's prediction before it starts and at 30% of its budget, in the scope it falls in. */
function predictAll(fitted: ReturnType<typeof fitState>, runs: readonly FitRun[], topOnly = false) {
  const histories = scopedHistories(topOnly ? { ...fitted, scopeRepresentatives: [] } : fitted);
  const state = topOnly ? { ...fitted.state, scopes: [] } : fitted.state;
  return runs.flatMap((run) =>
    [0, 0.3].map((upTo) => {
      const budget = run.budgetTokens ?? 0;
      const evals = (run.evals ?? []).filter((e) => e.tokens <= upTo * budget);
      const checkpoint = checkpointOf(evals, budget);
      return predictScoped(
        [{ ...(histories[0] as (typeof histories)[0]), state }, ...histories.slice(1)],
        run.features,
        {
          family: String(run.features.family),
          checkpoint,
          shape: shapeAt(evals, budget, run.mode ?? 'max', checkpoint),
        },
      );
    }),
  );
}

describe('scopes of history', () => {
  it("reads a run's metric kind as auto does, and its family", () => {
    expect(runScopeKey({ metric: 'validation/wer', mode: 'min', family: 'speech' })).toEqual({
      metric: 'error-rate:min',
      family: 'speech',
    });
    expect(runScopeKey({ metric: 'em' })).toEqual({ metric: metricKind('em', 'max'), family: null });
    expect(runScopeKey({ lr: 0.1 })).toEqual({ metric: '', family: null });
  });

  it('keeps a scope only where it holds fewer runs than the one it would fall back to', () => {
    const image = kindCurves(tasks('img', MIN_FAMILY_TASKS), {
      metric: 'top1',
      mode: 'max',
      family: 'image',
    });
    const nli = kindCurves(tasks('nli', 2), { metric: 'accuracy', mode: 'max', family: 'nli' });
    const lm = kindCurves(tasks('lm', 2), LOSS);
    const runs = fitRunsOf([...image, ...nli, ...lm]);
    expect(scopesOf(runs)).toEqual([
      { metric: 'accuracy:max', family: null },
      { metric: 'accuracy:max', family: 'image' },
      { metric: 'loss:min', family: null },
    ]);
    // All of history is of one kind, or the family is the whole kind: no scope of its own.
    expect(scopesOf(fitRunsOf([...image, ...nli]))).toEqual([{ metric: 'accuracy:max', family: 'image' }]);
    expect(scopesOf(fitRunsOf([...image, ...lm]))).toEqual([
      { metric: 'accuracy:max', family: null },
      { metric: 'loss:min', family: null },
    ]);
    // Fewer tasks of the family than the risk rule needs: its kind speaks for it.
    expect(scopesOf(fitRunsOf([...image.filter((c) => c.task !== 'img0'), ...nli, ...lm]))).toEqual([
      { metric: 'accuracy:max', family: null },
      { metric: 'loss:min', family: null },
    ]);
    const scopes = scopesOf(runs);
    expect(scopeOf(scopes, { metric: 'acc', mode: 'max', family: 'image' })).toBe(1);
    expect(scopeOf(scopes, { metric: 'acc', mode: 'max', family: 'audio' })).toBe(0);
    expect(scopeOf(scopes, { metric: 'nll', mode: 'min' })).toBe(2);
    expect(scopeOf(scopes, { metric: 'validation/wer', mode: 'min' })).toBe(-1);
    expect(scopeOf(scopes, { lr: 0.1 })).toBe(-1);
  });
});

describe('fitState with scopes', () => {
  it("leaves an accuracy run's prediction bit-identical when history gains loss curves", () => {
    const accuracy = fitRunsOf(syntheticCurves(['a', 'b', 'c']));
    const withLoss = fitRunsOf([...syntheticCurves(['a', 'b', 'c']), ...kindCurves(['x', 'y', 'z'], LOSS)]);
    const queries = fitRunsOf(syntheticCurves(['q'], 8, 30));
    const alone = fitState(accuracy);
    const grown = fitState(withLoss);
    expect(grown.state.scopes?.map((s) => [s.metric, s.family])).toEqual([
      ['accuracy:max', null],
      ['loss:min', null],
    ]);
    const before = predictAll(alone, queries);
    expect(before.every((p) => p !== null)).toBe(true);
    expect(predictAll(grown, queries)).toEqual(before);
    // Not so when all of history speaks for every run (the fit before scopes): the loss curves,
    // whose high learning rates peak late, move it.
    expect(predictAll(grown, queries, true)).not.toEqual(before);
  });

  it(`predicts a run of a kind and family with ${MIN_FAMILY_TASKS} tasks from their runs alone`, () => {
    const image = kindCurves(tasks('img', MIN_FAMILY_TASKS), {
      metric: 'top1',
      mode: 'max',
      family: 'image',
    });
    const others = [
      ...kindCurves(tasks('nli', 2), { metric: 'accuracy', mode: 'max', family: 'nli', reversed: true }),
      ...kindCurves(tasks('lm', 2), LOSS),
    ];
    const queries = fitRunsOf(kindCurves(['new'], { metric: 'top1', mode: 'max', family: 'image' }));
    const grown = fitState(fitRunsOf([...image, ...others]));
    const own = fitState(fitRunsOf(image));
    const predicted = predictAll(grown, queries);
    expect(predicted).toEqual(predictAll(own, queries));
    const imageRuns = new Set(image.map((c) => c.id));
    expect(predicted.flatMap((p) => p?.sources ?? []).every((s) => imageRuns.has(s.runId))).toBe(true);
    // An accuracy run of another family is predicted from every accuracy run, none of the loss ones.
    const [other] = predictAll(
      grown,
      fitRunsOf(kindCurves(['new'], { metric: 'acc', mode: 'max', family: 'x' })),
    );
    expect(other?.sources.every((s) => !s.runId.startsWith('lm'))).toBe(true);
  });
});
