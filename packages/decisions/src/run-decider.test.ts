import { autoRules, type Curve, curveKind, fitStopModel } from '@curfew/policies';
import { describe, expect, it } from 'vitest';
import { experimentPolicyOf, runPolicyContext } from './run-decider.js';
import { historyCurveOf } from './stop-models.js';
import { specOf } from './test-support.js';

/** Twelve finished experiments of EM curves (what curfew's own history holds), three runs each. */
function emHistory(): Curve[] {
  return Array.from({ length: 12 }, (_, g) =>
    [0, 1, 2].map((i) =>
      historyCurveOf({
        runId: `h${g}/${i}`,
        experimentId: `h${g}`,
        task: { family: 'reverse', params: { length: 3 + g, vocab: 5 } },
        config: { lr: 0.01 * (i + 1) },
        budgetTokens: 1000,
        evals: Array.from({ length: 10 }, (_, k) => ({
          step: k + 1,
          tokens: (k + 1) * 100,
          em: Math.min(0.9, 0.1 * (k + 1) + 0.02 * i),
        })),
      } as unknown as Parameters<typeof historyCurveOf>[0]),
    ),
  ).flat();
}

describe('a live run’s policy context', () => {
  it('names the metric the spec’s policy monitors, so auto matches history by its kind of curve', () => {
    const run = { id: 'dec-1/0', budgetTokens: 1000, config: { lr: 0.01 } };
    const em = runPolicyContext(experimentPolicyOf(specOf({ name: 'auto', tolerance: 0.01 })), run, null);
    expect(em.run).toMatchObject({ metric: 'em', mode: 'max', features: { family: 'reverse' } });
    const loss = runPolicyContext(
      experimentPolicyOf(specOf({ name: 'auto', tolerance: 0.01, monitor: 'loss', mode: 'min' })),
      run,
      null,
    );
    expect(loss.run).toMatchObject({ metric: 'loss', mode: 'min' });

    // History of EM curves serves a run that monitors EM, and not one that monitors a loss:
    // across an experiment nothing is learned for it, and alone it keeps the default bound of its
    // own curve, made no bolder by EM history.
    const model = fitStopModel(emHistory());
    const kindOf = (ctx: typeof em) => curveKind(ctx.run.metric ?? '', ctx.run.mode, ctx.run.features);
    expect(model.kinds.groups.h0).toEqual(kindOf(em));
    expect(autoRules(model, 0.01, kindOf(loss))).toMatchObject({
      halvingLearned: false,
      survivors: null,
      single: { window: 0.2, noise: 2, threshold: 0.01 },
    });
  });
});
