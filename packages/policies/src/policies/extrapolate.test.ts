import { describe, expect, it } from 'vitest';
import type { ExtrapolateOptions } from '../options';
import { gaussian, mulberry32 } from '../prng';
import type { Decision, EvalPoint, PeerRun } from '../types';
import { createExtrapolatePolicy } from './extrapolate';

const options: ExtrapolateOptions = {
  name: 'extrapolate',
  monitor: 'em',
  mode: 'max',
  tolerance: 0.005,
  lr_drop_before_stop: false,
  probability: 0.05,
  min_evals: 4,
};
const BUDGET = 40_000;
const run = { id: 'r1', budgetTokens: BUDGET, mode: 'max' as const };

/** 40 evals of `f` (x = tokens / budget) with seeded gaussian noise. */
function evalsOf(f: (x: number) => number, noise = 0, seed = 1): EvalPoint[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: 40 }, (_, i) => ({
    step: i + 1,
    tokens: (i + 1) * 1000,
    value: f((i + 1) / 40) + noise * g(),
  }));
}

/** Feeds the evals one at a time; returns the 1-based eval it stopped at (41: never) and the decision. */
function stopAt(
  evals: EvalPoint[],
  opts: Partial<ExtrapolateOptions> = {},
  peers: PeerRun[] = [],
): { at: number; decision: Decision | null } {
  const policy = createExtrapolatePolicy({ ...options, ...opts } as ExtrapolateOptions, {
    ...run,
    mode: opts.mode ?? 'max',
  });
  for (let i = 1; i <= evals.length; i++) {
    const decision = policy.decide({ evals: evals.slice(0, i), peers });
    if (decision.kind === 'stop') return { at: i, decision };
    expect(decision.kind).toBe('continue');
  }
  return { at: evals.length + 1, decision: null };
}

const saturating = (x: number) => 0.8 - 0.75 * Math.exp(-25 * x);

describe('createExtrapolatePolicy', () => {
  it('stops a curve that has clearly saturated, saying what it predicted', () => {
    const { at, decision } = stopAt(evalsOf(saturating));
    expect(at).toBeGreaterThan(4);
    expect(at).toBeLessThanOrEqual(14);
    expect(decision).toMatchObject({ kind: 'stop', reason: 'extrapolation' });
    expect(decision?.kind === 'stop' && decision.detail).toMatch(
      /^predicted em 0\.8\d* ± [\d.e-]+ by the budget \(best so far 0\.7\d*\); P\(gain > 0\.005\) = [\d.e-]+ < 0\.05$/,
    );
  });

  it('does not stop curves still rising steeply', () => {
    const steep = [
      (x: number) => 0.9 - 0.85 * Math.exp(-4 * x),
      (x: number) => 0.85 - 0.1 * x ** -0.5,
      (x: number) => 0.7 + 0.1 * Math.log(x),
      (x: number) => 0.1 + 0.8 * x,
    ];
    for (const f of steep) {
      for (const noise of [0, 0.01, 0.03]) {
        // each still gains far more than the tolerance over the second half of the budget
        expect(stopAt(evalsOf(f, noise, 3)).at).toBeGreaterThan(30);
      }
    }
  });

  it('stops noisier curves later than clean ones of the same shape', () => {
    const noises = [0, 0.01, 0.02, 0.04];
    const seeds = [1, 2, 3, 4, 5];
    const mean = noises.map(
      (noise) => seeds.reduce((s, seed) => s + stopAt(evalsOf(saturating, noise, seed)).at, 0) / seeds.length,
    );
    for (let i = 1; i < mean.length; i++) expect(mean[i]!).toBeGreaterThan(mean[i - 1]!);
    for (const seed of seeds) {
      expect(stopAt(evalsOf(saturating, 0.04, seed)).at).toBeGreaterThan(
        stopAt(evalsOf(saturating, 0, seed)).at,
      );
    }
  });

  it('stops a plateau with a noise spike on it (the spike is no progress left to make)', () => {
    const evals = evalsOf(saturating);
    const spiked = evals.map((e, i) => (i === 12 ? { ...e, value: e.value + 0.05 } : e));
    expect(stopAt(spiked).at).toBeLessThanOrEqual(20);
  });

  it('handles mode min by negating (a loss that has flattened stops, a falling one does not)', () => {
    const flat = evalsOf((x) => 0.5 + 2 * Math.exp(-25 * x));
    expect(stopAt(flat, { mode: 'min', monitor: 'val_loss' }).at).toBeLessThanOrEqual(16);
    const falling = evalsOf((x) => 0.5 + 2 * Math.exp(-3 * x));
    expect(stopAt(falling, { mode: 'min', monitor: 'val_loss' }).at).toBeGreaterThan(30);
    expect(stopAt(flat, { mode: 'min', monitor: 'val_loss' }).decision).toMatchObject({
      detail: expect.stringMatching(
        /^predicted val_loss 0\.(49|50)\d* ± [\d.e-]+ by the budget \(best so far 0\.50\d*\)/,
      ),
    });
  });

  it('waits for min_evals and never stops at the budget', () => {
    const flat = evalsOf(() => 0.5);
    expect(stopAt(flat, { min_evals: 10 }).at).toBe(10);
    const policy = createExtrapolatePolicy(options, run);
    const atBudget = flat.slice(0, 3).concat([{ step: 40, tokens: BUDGET, value: 0.5 }]);
    expect(policy.decide({ evals: atBudget, peers: [] })).toEqual({ kind: 'continue' });
  });

  it('stops a run that cannot catch the best finished peer', () => {
    const slow = evalsOf((x) => 0.1 + 0.4 * x); // rising, but only to 0.5
    const peer: PeerRun = { id: 'p', budgetTokens: BUDGET, finished: true, evals: evalsOf(() => 0.9) };
    const { at, decision } = stopAt(slow, {}, [peer]);
    expect(at).toBeLessThanOrEqual(8);
    expect(decision).toMatchObject({ kind: 'stop', reason: 'extrapolation' });
    expect(decision?.kind === 'stop' && decision.detail).toContain('P(beating the best run, 0.9)');
    // no finished peer yet: the peer rule waits
    expect(stopAt(slow, {}, [{ ...peer, finished: false }]).at).toBe(41);
  });

  it('ignores NaN evals and survives a noisy, non-monotone curve', () => {
    const evals = evalsOf((x) => 0.5 + 0.3 * Math.sin(8 * x), 0.02, 9);
    evals[5] = { ...evals[5]!, value: Number.NaN };
    const { decision } = stopAt(evals);
    if (decision?.kind === 'stop') expect(decision.detail).not.toMatch(/NaN|Infinity/);
  });

  it('decides the same after a restore, mid-run', () => {
    const evals = evalsOf(saturating, 0.02, 4);
    const original = createExtrapolatePolicy(options, run);
    const expected = evals.map((_, i) => original.decide({ evals: evals.slice(0, i + 1), peers: [] }));
    for (const cut of [3, 8, 15]) {
      const a = createExtrapolatePolicy(options, run);
      for (let i = 0; i < cut; i++) a.decide({ evals: evals.slice(0, i + 1), peers: [] });
      const b = createExtrapolatePolicy(options, run);
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      for (let i = cut; i < evals.length; i++) {
        expect(b.decide({ evals: evals.slice(0, i + 1), peers: [] })).toEqual(expected[i]);
      }
    }
  });

  it('validates its options', () => {
    expect(() => createExtrapolatePolicy({ ...options, probability: 1.5 }, run)).toThrow(
      'policy.probability: expected a number from 0 to 1, got 1.5',
    );
    expect(() => createExtrapolatePolicy({ ...options, min_evals: 1 }, run)).toThrow(
      'policy.min_evals: expected an integer >= 2, got 1',
    );
    expect(() => createExtrapolatePolicy(options, { ...run, budgetTokens: 0 })).toThrow(
      'budgetTokens: expected a positive number, got 0',
    );
  });
});
