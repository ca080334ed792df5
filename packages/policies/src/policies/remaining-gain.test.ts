import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../prng';
import { firstStop } from '../test-support';
import type { EvalPoint, Mode, RunInfo } from '../types';
import { createRemainingGainPolicy, type RemainingGainSettings } from './remaining-gain';

const BUDGET = 27_000;
const run: RunInfo = { id: 'r', budgetTokens: BUDGET, mode: 'max', features: {} };
/** 54 evals, 500 tokens apart, of `f(tokens)` plus Gaussian noise of `sigma` (seeded). */
function curve(f: (tokens: number) => number, sigma = 0, seed = 1): EvalPoint[] {
  const noise = gaussian(mulberry32(seed));
  return Array.from({ length: BUDGET / 500 }, (_, i) => {
    const tokens = (i + 1) * 500;
    return { step: i + 1, tokens, value: f(tokens) + sigma * noise() };
  });
}
const mirrored = (evals: EvalPoint[]) => evals.map((e) => ({ ...e, value: 1 - e.value }));
const settings = (mode: Mode, threshold: number): RemainingGainSettings => ({
  mode,
  window: 0.2,
  noise: 2,
  threshold,
});
const stopOf = (mode: Mode, threshold: number, evals: EvalPoint[]) =>
  firstStop(createRemainingGainPolicy({ ...run, mode }, settings(mode, threshold)), evals);

/** An accuracy that rises fast to 0.8 and stays there, with noise 0.001. */
const plateau = curve((t) => 0.8 - 0.5 * Math.exp(-t / 2_000), 0.001);

describe('remaining-gain policy', () => {
  it('stops a run on a plateau once a full window of it shows no gain left, in mode max and min alike', () => {
    const max = stopOf('max', 0.01, plateau);
    expect(max?.decision).toMatchObject({ kind: 'stop', reason: 'plateau' });
    const tokens = plateau[max?.index ?? 0]?.tokens as number;
    expect(tokens).toBeGreaterThanOrEqual(0.2 * BUDGET);
    expect(tokens).toBeLessThan(0.7 * BUDGET);
    // A loss falling to 0.2 on the same curve, mirrored: the same stop.
    expect(stopOf('min', 0.01, mirrored(plateau))?.index).toBe(max?.index);
  });

  it('never stops a curve still rising by more than the threshold over the rest of its budget', () => {
    // Gains about 0.03 over the last fifth of the budget, to the end.
    const rising = curve((t) => 0.2 + 0.6 * (t / BUDGET) ** 0.7, 0.001);
    expect(stopOf('max', 0.01, rising)).toBeNull();
    expect(stopOf('min', 0.01, mirrored(rising))).toBeNull();
  });

  it('holds a noisy flat curve to its own noise: no stop while two σ exceed the threshold', () => {
    const noisy = curve((t) => 0.7 - 0.4 * Math.exp(-t / 1_000), 0.02, 7);
    expect(stopOf('max', 0.01, noisy)).toBeNull();
    expect(stopOf('max', 0.2, noisy)?.decision).toMatchObject({ kind: 'stop', reason: 'plateau' });
  });

  it('never stops a run whose metric does not move, nor one whose only gain came at its second eval', () => {
    // A speech model's WER: 3.5 at initialisation, 0.8966 (blanks) to the bit, then it learns.
    const values = [3.5, ...Array.from({ length: 30 }, () => 0.8966), 0.5, 0.3, 0.2, 0.15, 0.12];
    const wer = values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 500, value }));
    expect(stopOf('min', 0.01, wer.slice(0, 31))).toBeNull();
    // The same plateau with noise that never leaves its level at the second eval.
    const blank = curve(() => 0.9, 0.0005).map((e, i) => (i === 0 ? { ...e, value: 3.5 } : e));
    expect(stopOf('min', 0.01, blank)).toBeNull();
  });

  it('decides after a restore as it would have without one', () => {
    const policy = createRemainingGainPolicy(run, settings('max', 0.01));
    const straight = firstStop(createRemainingGainPolicy(run, settings('max', 0.01)), plateau);
    const at = straight?.index as number;
    for (let i = 1; i < at - 3; i++) policy.decide({ evals: plateau.slice(0, i), peers: [] });
    const resumed = createRemainingGainPolicy(run, settings('max', 0.01));
    resumed.restore(JSON.parse(JSON.stringify(policy.snapshot())));
    expect(resumed.decide({ evals: plateau.slice(0, at), peers: [] }).kind).toBe('continue');
    expect(resumed.decide({ evals: plateau.slice(0, at + 1), peers: [] })).toEqual(straight?.decision);
  });

  it('never stops with a threshold of zero', () => {
    expect(stopOf('max', 0, plateau)).toBeNull();
  });
});
