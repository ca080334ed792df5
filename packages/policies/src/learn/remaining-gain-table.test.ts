import { describe, expect, it } from 'vitest';
import { createRemainingGainPolicy } from '../policies/remaining-gain';
import { gaussian, mulberry32 } from '../prng';
import type { Curve } from '../replay/curve';
import { firstStop } from '../test-support';
import { aloneRule } from './auto-rules';
import type { CurveKind } from './curve-kind';
import {
  BOUND_THRESHOLDS,
  DEFAULT_REMAINING_GAIN,
  type RemainingGainTables,
  remainingGainRule,
  remainingGainStops,
  remainingGainTables,
} from './remaining-gain-table';

/** A run of `task`: 40 evals, 25 tokens apart, rising to `top` with time constant `tau`, noisy. */
function run(task: string, i: number, top: number, tau: number, mode: Curve['mode'] = 'max'): Curve {
  const noise = gaussian(mulberry32(i + 1));
  const sign = mode === 'max' ? 1 : -1;
  return {
    id: `${task}/${i}`,
    task,
    group: task,
    metric: mode === 'max' ? 'accuracy' : 'loss',
    mode,
    budgetTokens: 1_000,
    features: {},
    evals: Array.from({ length: 40 }, (_, k) => {
      const tokens = (k + 1) * 25;
      return { step: k + 1, tokens, value: sign * (top - top * Math.exp(-tokens / tau) + 0.002 * noise()) };
    }),
    source: `${task}/${i}`,
  };
}

describe('remaining-gain tables', () => {
  const curves = [run('a', 0, 0.8, 60), run('a', 1, 0.6, 400), run('b', 2, 2, 100, 'min')];

  it('stop each curve where the policy with the same settings stops it', () => {
    const thresholds = [0, 0.002, 0.01, 0.05];
    for (const c of curves) {
      const stops = remainingGainStops(c, [0.1, 0.3], [1, 3], thresholds);
      for (const [w, window] of [0.1, 0.3].entries())
        for (const [k, noise] of [1, 3].entries())
          for (const [q, threshold] of thresholds.entries()) {
            const policy = createRemainingGainPolicy(
              { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode, features: {} },
              { mode: c.mode, window, noise, threshold },
            );
            const expected = firstStop(policy, c.evals)?.index ?? c.evals.length - 1;
            expect(stops[w]?.[k]?.[q]).toBe(expected);
          }
    }
  });

  it('score each task by its runs’ mean loss and tokens saved; threshold 0 loses and saves nothing', () => {
    const tables = remainingGainTables(curves);
    expect(tables.tasks).toEqual(['a', 'b']);
    expect(tables.loss[0]?.[0]?.[0]?.[0]).toBe(0);
    expect(tables.saved[0]?.[0]?.[0]?.[0]).toBe(0);
    // A larger threshold stops no later: it saves no less.
    const saved = tables.saved[2]?.[1]?.[0] ?? [];
    for (let q = 1; q < saved.length; q++) expect(saved[q]).toBeGreaterThanOrEqual(saved[q - 1] as number);
  });
});

/** Tables of one window × noise: each task loses `loss(kind, θ)` at threshold θ, and saves θ. */
function tables(kinds: Record<string, CurveKind>, loss: (kind: string, theta: number) => number) {
  const tasks = Object.keys(kinds).sort();
  const t: RemainingGainTables = {
    windows: [0.2],
    noises: [2],
    thresholds: [...BOUND_THRESHOLDS],
    tasks,
    loss: [[tasks.map((n) => BOUND_THRESHOLDS.map((theta) => loss(kinds[n]?.metric as string, theta)))]],
    saved: [[tasks.map(() => BOUND_THRESHOLDS.map((theta) => theta))]],
  };
  return t;
}
const kindsOf = (n: number, metric: string, from = 0) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`${metric}${from + i}`, { metric, family: '' } as CurveKind]),
  );

describe('the rule for a run judged alone', () => {
  const { window, noise } = DEFAULT_REMAINING_GAIN;
  const accuracy: CurveKind = { metric: 'accuracy:max', family: '' };

  it('keeps the safe default without tables, or with fewer tasks than the risk rule needs', () => {
    expect(aloneRule(undefined, {}, accuracy, 0.01)).toEqual({ window, noise, threshold: 0.01 });
    const few = kindsOf(5, 'accuracy:max');
    expect(
      aloneRule(
        tables(few, () => 0),
        few,
        accuracy,
        0.01,
      ),
    ).toEqual({ window, noise, threshold: 0.01 });
  });

  it('is bolder than the default only on history of the run’s own kind, and more cautious where it refutes it', () => {
    const kinds = kindsOf(12, 'accuracy:max');
    const lossless = tables(kinds, () => 0);
    expect(aloneRule(lossless, kinds, accuracy, 0.01)?.threshold).toBe(0.5);
    // A WER run: history of accuracies that lost nothing leaves it at the default.
    const wer: CurveKind = { metric: 'error-rate:min', family: '' };
    expect(aloneRule(lossless, kinds, wer, 0.01)).toEqual({ window, noise, threshold: 0.01 });
    // History where a threshold loses twice itself: at the default's window and noise, t/2.
    const twice = tables(kinds, (_, theta) => 2 * theta);
    expect(aloneRule(twice, kinds, wer, 0.01)).toEqual({ window, noise, threshold: 0.005 });
  });

  it('takes the largest threshold history bounds: bolder than the tolerance where nothing was lost', () => {
    const kinds = kindsOf(12, 'accuracy:max');
    // Losses of a third of θ: θ up to 3 × t is within t.
    expect(
      remainingGainRule(
        tables(kinds, () => 0),
        kinds,
        0.01,
      )?.threshold,
    ).toBe(0.5);
    expect(
      remainingGainRule(
        tables(kinds, (_, theta) => theta / 3),
        kinds,
        0.01,
      )?.threshold,
    ).toBe(0.03);
  });

  it('holds every metric kind of history to the tolerance, not only their pool', () => {
    // Ten accuracy tasks lose nothing; three WER tasks lose θ itself: the pool would allow
    // more than t, the WER tasks allow t.
    const kinds = { ...kindsOf(10, 'accuracy:max'), ...kindsOf(3, 'error-rate:min') };
    const loss = (kind: string, theta: number) => (kind === 'error-rate:min' ? theta : 0);
    expect(remainingGainRule(tables(kinds, loss), kinds, 0.01)?.threshold).toBe(0.01);
    // A kind of one task is held to its own loss.
    const one = { ...kindsOf(10, 'accuracy:max'), ...kindsOf(1, 'error-rate:min') };
    expect(remainingGainRule(tables(one, loss), one, 0.01)?.threshold).toBe(0.01);
  });

  it('stops nothing where history refutes every threshold', () => {
    const kinds = kindsOf(12, 'accuracy:max');
    expect(
      remainingGainRule(
        tables(kinds, (_, theta) => (theta > 0 ? 1 : 0)),
        kinds,
        0.01,
      ),
    ).toBeNull();
  });
});
