import { describe, expect, it } from 'vitest';
import type { MedianOptions } from '../options';
import { firstStop } from '../test-support';
import type { EvalPoint, Mode, PeerRun, RunInfo } from '../types';
import { createMedianPolicy } from './median';

function run(mode: Mode): RunInfo {
  return { id: 'me', budgetTokens: 100_000, mode };
}

function options(over: Partial<MedianOptions> = {}): MedianOptions {
  return {
    name: 'median',
    monitor: 'em',
    mode: 'max',
    tolerance: 0.005,
    lr_drop_before_stop: false,
    startup_runs: 2,
    warmup_evals: 0,
    ...over,
  };
}

/** Evals at steps 100, 200, … (the step every run of the experiment evaluates at). */
function evalsOf(values: readonly number[], stepEvery = 100): EvalPoint[] {
  return values.map((value, i) => ({ step: (i + 1) * stepEvery, tokens: (i + 1) * 10_000, value }));
}

function peer(id: string, values: readonly number[], finished = true, stepEvery = 100): PeerRun {
  return { id, budgetTokens: 100_000, evals: evalsOf(values, stepEvery), finished };
}

const finishedPeers = [
  peer('a', [0.2, 0.4, 0.5, 0.6, 0.6]),
  peer('b', [0.3, 0.5, 0.6, 0.7, 0.7]),
  peer('c', [0.1, 0.3, 0.4, 0.5, 0.5]),
];

describe('median', () => {
  it('stops a run whose best is below the median of finished runs at the same step', () => {
    // Medians at steps 100..500: 0.2, 0.4, 0.5, 0.6, 0.6. The run keeps up until step 300.
    const stop = firstStop(
      createMedianPolicy(options(), run('max')),
      evalsOf([0.25, 0.4, 0.5, 0.52, 0.55]),
      finishedPeers,
    );
    expect(stop?.index).toBe(3);
    expect(stop?.decision).toMatchObject({ kind: 'stop', reason: 'median' });
  });

  it('compares the best value so far, not the latest one', () => {
    // Falls to 0.1 at step 300, but its best (0.55) is above the median 0.5 there.
    const stop = firstStop(
      createMedianPolicy(options(), run('max')),
      evalsOf([0.3, 0.55, 0.1, 0.1, 0.1]),
      finishedPeers,
    );
    expect(stop?.index).toBe(3);
  });

  it('interpolates the median of an even count as numpy does, and a tie continues', () => {
    const peers = [peer('a', [0.25]), peer('b', [0.75])];
    const at = (value: number) =>
      createMedianPolicy(options(), run('max')).decide({ evals: evalsOf([value]), peers });
    expect(at(0.49).kind).toBe('stop');
    expect(at(0.5).kind).toBe('continue');
    expect(at(0.51).kind).toBe('continue');
  });

  it('does nothing until startup_runs peers have finished, and ignores unfinished peers', () => {
    const running = [peer('a', [0.9, 0.9], false), peer('b', [0.9, 0.9], false), peer('c', [0.9, 0.9])];
    expect(
      firstStop(createMedianPolicy(options({ startup_runs: 2 }), run('max')), evalsOf([0.1, 0.1]), running),
    ).toBe(null);
    // startup_runs 1: the one finished peer is the median.
    expect(
      firstStop(createMedianPolicy(options({ startup_runs: 1 }), run('max')), evalsOf([0.1, 0.1]), running)
        ?.index,
    ).toBe(0);
    // startup_runs 0 still needs one finished run, as in Optuna.
    expect(
      firstStop(
        createMedianPolicy(options({ startup_runs: 0 }), run('max')),
        evalsOf([0.1, 0.1]),
        running.slice(0, 2),
      ),
    ).toBe(null);
  });

  it('never stops during the first warmup_evals evals', () => {
    const stop = firstStop(
      createMedianPolicy(options({ warmup_evals: 3 }), run('max')),
      evalsOf([0.0, 0.0, 0.0, 0.0, 0.0]),
      finishedPeers,
    );
    expect(stop?.index).toBe(3);
  });

  it('matches peers by equal step only: peers evaluated at other steps do not count', () => {
    const otherCadence = [peer('x', [0.9, 0.9, 0.9], true, 150), peer('y', [0.9, 0.9, 0.9], true, 150)];
    // Steps 100, 200, 300 vs 150, 300, 450: only step 300 is shared.
    const stop = firstStop(createMedianPolicy(options(), run('max')), evalsOf([0.1, 0.1, 0.1]), otherCadence);
    expect(stop?.index).toBe(2);
  });

  it('works in min mode (a loss)', () => {
    const losses = finishedPeers.map((p) => ({
      ...p,
      evals: p.evals.map((e) => ({ ...e, value: 1 - e.value })),
    }));
    const stop = firstStop(
      createMedianPolicy(options({ mode: 'min' }), run('min')),
      evalsOf([0.75, 0.6, 0.5, 0.48, 0.45]),
      losses,
    );
    expect(stop).toMatchObject({ index: 3, decision: { reason: 'median' } });
    expect(
      firstStop(
        createMedianPolicy(options({ mode: 'min' }), run('min')),
        evalsOf([0.7, 0.5, 0.4, 0.3]),
        losses,
      ),
    ).toBe(null);
  });

  it('stops a run whose every value is NaN once the rule applies', () => {
    expect(
      createMedianPolicy(options(), run('max')).decide({
        evals: evalsOf([Number.NaN]),
        peers: finishedPeers,
      }),
    ).toMatchObject({ kind: 'stop', reason: 'median' });
  });

  it('decides the same after a snapshot/restore at every eval', () => {
    const evals = evalsOf([0.25, 0.45, 0.5, 0.58, 0.62]);
    for (const mode of ['max', 'min'] as const) {
      const peers = finishedPeers;
      for (let k = 0; k < evals.length; k++) {
        const original = createMedianPolicy(options({ mode }), run(mode));
        for (let i = 0; i <= k; i++) original.decide({ evals: evals.slice(0, i + 1), peers });
        const resumed = createMedianPolicy(options({ mode }), run(mode));
        resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
        for (let i = k + 1; i < evals.length; i++) {
          const input = { evals: evals.slice(0, i + 1), peers };
          expect(resumed.decide(input)).toEqual(original.decide(input));
        }
      }
    }
  });

  it('never lets evals after the stop change where it stops', () => {
    const values = [0.25, 0.4, 0.5, 0.52, 0.55];
    const stop = firstStop(createMedianPolicy(options(), run('max')), evalsOf(values), finishedPeers);
    expect(stop?.index).toBe(3);
    const changed = [...values.slice(0, 4), 0.99];
    expect(firstStop(createMedianPolicy(options(), run('max')), evalsOf(changed), finishedPeers)?.index).toBe(
      3,
    );
  });

  it('rejects options it cannot work with, naming the option and the value', () => {
    expect(() => createMedianPolicy(options({ startup_runs: -1 }), run('max'))).toThrow(
      'startup_runs: expected a non-negative integer, got -1',
    );
    expect(() => createMedianPolicy(options({ warmup_evals: 0.5 }), run('max'))).toThrow(
      'warmup_evals: expected a non-negative integer, got 0.5',
    );
  });
});
