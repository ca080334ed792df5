import { describe, expect, it } from 'vitest';
import type { ThresholdOptions } from '../options';
import { mulberry32 } from '../prng';
import { firstStop as firstStopOf } from '../test-support';
import type { Decision, EvalPoint, Mode, PeerRun, RunInfo } from '../types';
import { createThresholdPolicy } from './threshold';

/** 40 evals over a 2M-token budget, as in the DESIGN.md example spec. */
const BUDGET = 2_000_000;
const EVALS = 40;
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

function run(mode: Mode): RunInfo {
  return { id: 'me', budgetTokens: BUDGET, mode };
}

function options(over: Partial<ThresholdOptions> = {}): ThresholdOptions {
  return {
    name: 'threshold',
    monitor: 'em',
    mode: 'max',
    tolerance: 0.005,
    lr_drop_before_stop: false,
    min_evals: 5,
    ...over,
  };
}

/** `shape(progress, index)` plus Gaussian noise of scale `sigma`, one eval every 1/40 of the budget. */
function curve(shape: (progress: number, index: number) => number, sigma: number, seed: number): EvalPoint[] {
  const next = mulberry32(seed);
  return Array.from({ length: EVALS }, (_, i) => {
    const tokens = ((i + 1) * BUDGET) / EVALS;
    const noise = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    return { step: (i + 1) * 100, tokens, value: shape(tokens / BUDGET, i) + sigma * noise };
  });
}

function asLoss(evals: readonly EvalPoint[]): EvalPoint[] {
  return evals.map((e) => ({ ...e, value: 1 - e.value }));
}

/** Where a threshold policy with `opts` first stops `evals`. */
function firstStop(
  evals: readonly EvalPoint[],
  opts: Partial<ThresholdOptions> = {},
  peers: readonly PeerRun[] = [],
): { index: number; decision: Decision } | null {
  return firstStopOf(createThresholdPolicy(options(opts), run(opts.mode ?? 'max')), evals, peers);
}

const saturating = (p: number) => 0.8 * (1 - Math.exp(-4 * p));
/** Rises to 0.6 over the first 20% of the budget, then stays there. */
const plateau = (p: number) => 0.6 * Math.min(1, p / 0.2);
/** +0.2 EM over the whole budget: 0.1 still to gain at half the budget. */
const slowRise = (p: number) => 0.3 + 0.2 * p;

describe('threshold', () => {
  it('does not stop a clean rising curve', () => {
    for (const seed of SEEDS) expect(firstStop(curve(saturating, 0.002, seed)), `seed ${seed}`).toBe(null);
  });

  it('stops a long flat noisy plateau with reason plateau, well before the budget', () => {
    for (const seed of SEEDS) {
      const stop = firstStop(curve(plateau, 0.01, seed));
      expect(stop?.decision, `seed ${seed}`).toMatchObject({ kind: 'stop', reason: 'plateau' });
      // The plateau starts at eval 7 (20% of the budget); stopping by eval 24 saves ≥ 37% of it.
      expect(stop?.index).toBeGreaterThanOrEqual(8);
      expect(stop?.index).toBeLessThanOrEqual(24);
    }
  });

  it('does not stop a slow, steady rise early, though no single eval stands out of the noise', () => {
    for (const seed of SEEDS) {
      const stop = firstStop(curve(slowRise, 0.005, seed));
      expect(stop?.index ?? EVALS, `seed ${seed}`).toBeGreaterThanOrEqual(36);
    }
  });

  it('needs larger gains to count as improvement on a noisier plateau', () => {
    // A flat curve whose evals 5–7 are 0.03 higher. Counted as an improvement, the bump restarts the
    // patience and the run stops later than without it; drowned in noise, it changes nothing.
    const flat = () => 0.5;
    const bump = (_: number, i: number) => 0.5 + (i >= 5 && i <= 7 ? 0.03 : 0);
    const delayed = (sigma: number) =>
      SEEDS.filter((seed) => {
        const without = firstStop(curve(flat, sigma, seed))?.index ?? EVALS;
        const withBump = firstStop(curve(bump, sigma, seed))?.index ?? EVALS;
        return withBump > without;
      }).length;
    expect(delayed(0.002)).toBeGreaterThanOrEqual(9);
    expect(delayed(0.03)).toBeLessThanOrEqual(3);
  });

  it('works in min mode: a loss curve stops exactly where its mirror image does', () => {
    for (const seed of SEEDS) {
      const accuracy = curve(plateau, 0.01, seed);
      const max = firstStop(accuracy);
      const min = firstStop(asLoss(accuracy), { mode: 'min' });
      expect(min?.index).toBe(max?.index);
      expect(min?.decision).toMatchObject({ reason: 'plateau' });
      expect(firstStop(asLoss(curve(saturating, 0.002, seed)), { mode: 'min' })).toBe(null);
    }
  });

  it('never stops before min_evals', () => {
    for (const seed of SEEDS) {
      expect(firstStop(curve(plateau, 0.01, seed), { min_evals: 30 })?.index).toBeGreaterThanOrEqual(29);
    }
  });

  it('waits longer when the run is behind what its peers reached at the same point', () => {
    const peersAbove = (seed: number): PeerRun[] =>
      [1, 2, 3].map((k) => ({
        id: `p${k}`,
        budgetTokens: BUDGET,
        finished: true,
        evals: curve(plateau, 0.01, 100 + seed * 7 + k),
      }));
    const lower = (p: number) => 0.5 * Math.min(1, p / 0.2);
    let later = 0;
    for (const seed of SEEDS) {
      const mine = curve(lower, 0.01, seed);
      const alone = firstStop(mine)?.index ?? EVALS;
      const behind = firstStop(mine, {}, peersAbove(seed))?.index ?? EVALS;
      expect(behind).toBeGreaterThanOrEqual(alone);
      if (behind > alone) later++;
      // Peers below the run do not extend its patience.
      const peersBelow = peersAbove(seed).map((p) => ({
        ...p,
        evals: p.evals.map((e) => ({ ...e, value: e.value - 0.3 })),
      }));
      expect(firstStop(mine, {}, peersBelow)?.index ?? EVALS).toBe(alone);
    }
    expect(later).toBeGreaterThanOrEqual(SEEDS.length / 2);
  });

  it('decides the same after a snapshot/restore at every eval', () => {
    for (const mode of ['max', 'min'] as const) {
      const base = curve(plateau, 0.01, 3);
      const evals = mode === 'max' ? base : asLoss(base);
      for (let k = 0; k < evals.length; k++) {
        const original = createThresholdPolicy(options({ mode }), run(mode));
        for (let i = 0; i <= k; i++) original.decide({ evals: evals.slice(0, i + 1), peers: [] });
        const resumed = createThresholdPolicy(options({ mode }), run(mode));
        resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
        for (let i = k + 1; i < evals.length; i++) {
          const input = { evals: evals.slice(0, i + 1), peers: [] };
          expect(resumed.decide(input)).toEqual(original.decide(input));
        }
      }
    }
  });

  it('never lets evals after the stop change where it stops', () => {
    const next = mulberry32(77);
    for (const seed of SEEDS) {
      const evals = curve(plateau, 0.01, seed);
      const stop = firstStop(evals);
      expect(stop).not.toBe(null);
      const index = stop?.index ?? 0;
      const changed = evals.map((e, i) => (i > index ? { ...e, value: next() } : e));
      expect(firstStop(changed)?.index).toBe(index);
    }
  });

  it('rejects options it cannot work with, naming the option and the value', () => {
    expect(() => createThresholdPolicy(options({ min_evals: -1 }), run('max'))).toThrow(
      'min_evals: expected a non-negative integer, got -1',
    );
    expect(() => createThresholdPolicy(options({ tolerance: -0.01 }), run('max'))).toThrow(
      'tolerance: expected a non-negative number, got -0.01',
    );
    expect(() =>
      createThresholdPolicy(options(), { id: 'r', budgetTokens: Number.NaN, mode: 'max' }),
    ).toThrow('budgetTokens: expected a positive number, got NaN');
  });
});
