import { describe, expect, it } from 'vitest';
import { constantLrAt } from './constant';
import { cosineLrAt } from './cosine';
import { createLrSchedule, type LrScheduleOptions } from './create-lr-schedule';
import { exponentialLrAt } from './exponential';
import { stepLrAt } from './step';

const at = (tokens: number) => ({ tokens, budgetTokens: 1000, baseLr: 1e-3 });
const ev = (tokens: number, value = 0) => ({ step: tokens, tokens, value });

describe('token-driven LR schedules', () => {
  it('constant keeps the base LR', () => {
    expect(constantLrAt(at(0))).toBe(1e-3);
    expect(constantLrAt(at(1000))).toBe(1e-3);
  });

  it('step multiplies by factor at every multiple of step_tokens', () => {
    const o = { name: 'step', step_tokens: 100, factor: 0.5 } as const;
    expect(stepLrAt(o, at(0))).toBe(1e-3);
    expect(stepLrAt(o, at(99))).toBe(1e-3);
    expect(stepLrAt(o, at(100))).toBe(5e-4);
    expect(stepLrAt(o, at(250))).toBe(2.5e-4);
    expect(stepLrAt(o, at(1000))).toBeCloseTo(1e-3 / 1024, 15);
  });

  it('exponential decays continuously by decay_rate per decay_tokens', () => {
    const o = { name: 'exponential', decay_rate: 0.5, decay_tokens: 100 } as const;
    expect(exponentialLrAt(o, at(0))).toBe(1e-3);
    expect(exponentialLrAt(o, at(50))).toBeCloseTo(1e-3 / Math.SQRT2, 15);
    expect(exponentialLrAt(o, at(100))).toBeCloseTo(5e-4, 15);
    expect(exponentialLrAt(o, at(500))).toBeCloseTo(1e-3 / 32, 15);
    for (let t = 1; t <= 1000; t += 7) {
      expect(exponentialLrAt(o, at(t))).toBeLessThan(exponentialLrAt(o, at(t - 1)));
    }
  });

  it('cosine warms up linearly, then follows half a cosine to min_lr at the budget', () => {
    const o = { name: 'cosine', warmup_tokens: 100, min_lr: 1e-5 } as const;
    expect(cosineLrAt(o, at(0))).toBe(0);
    expect(cosineLrAt(o, at(50))).toBeCloseTo(5e-4, 15);
    expect(cosineLrAt(o, at(100))).toBeCloseTo(1e-3, 15);
    // half of the budget: 400 of the 900 post-warmup tokens
    const half = 1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos((Math.PI * 400) / 900));
    expect(cosineLrAt(o, at(500))).toBeCloseTo(half, 15);
    // midpoint of the cosine part
    expect(cosineLrAt(o, at(550))).toBeCloseTo((1e-3 + 1e-5) / 2, 15);
    expect(cosineLrAt(o, at(1000))).toBeCloseTo(1e-5, 15);
    expect(cosineLrAt(o, at(1200))).toBeCloseTo(1e-5, 15);
    for (let t = 1; t <= 100; t++) expect(cosineLrAt(o, at(t))).toBeGreaterThan(cosineLrAt(o, at(t - 1)));
    for (let t = 101; t <= 1000; t++) expect(cosineLrAt(o, at(t))).toBeLessThan(cosineLrAt(o, at(t - 1)));
  });

  it('cosine without warmup starts at the base LR and ends at 0 by default', () => {
    const o = { name: 'cosine' } as const;
    expect(cosineLrAt(o, at(0))).toBe(1e-3);
    expect(cosineLrAt(o, at(500))).toBeCloseTo(5e-4, 15);
    expect(cosineLrAt(o, at(1000))).toBeCloseTo(0, 15);
  });
});

describe('createLrSchedule', () => {
  const context = { baseLr: 1e-3, budgetTokens: 1000, mode: 'max' as const };

  it('absent means constant', () => {
    const s = createLrSchedule(undefined, context);
    expect(s.name).toBe('constant');
    expect(s.lrAt(500)).toBe(1e-3);
    expect(s.onEval(ev(500, 0.3))).toBe(1e-3);
  });

  it('token schedules answer onEval with the LR at the eval tokens, scaled by adjustments', () => {
    const s = createLrSchedule({ name: 'step', step_tokens: 100, factor: 0.5 }, context);
    expect(s.onEval(ev(200))).toBe(2.5e-4);
    s.scale(0.1);
    expect(s.lrAt(200)).toBeCloseTo(2.5e-5, 18);
    const copy = createLrSchedule({ name: 'step', step_tokens: 100, factor: 0.5 }, context);
    copy.restore(JSON.parse(JSON.stringify(s.snapshot())));
    expect(copy.lrAt(300)).toBe(s.lrAt(300));
  });

  it.each<[LrScheduleOptions, string]>([
    [
      { name: 'step', step_tokens: 100, factor: 1.5 },
      'lr_schedule.factor: expected a number between 0 and 1, got 1.5',
    ],
    [
      { name: 'step', step_tokens: 0, factor: 0.5 },
      'lr_schedule.step_tokens: expected a positive integer, got 0',
    ],
    [
      { name: 'exponential', decay_rate: 0.5, decay_tokens: 1.5 },
      'lr_schedule.decay_tokens: expected a positive integer, got 1.5',
    ],
    [
      { name: 'cosine', warmup_tokens: 1000 },
      'lr_schedule.warmup_tokens: expected fewer tokens than the budget (1000), got 1000',
    ],
    [{ name: 'cosine', min_lr: 0.1 }, 'lr_schedule.min_lr: expected at most the base lr (0.001), got 0.1'],
    [
      { name: 'reduce-on-plateau', patience: -1 },
      'lr_schedule.patience: expected a non-negative integer, got -1',
    ],
    [
      { name: 'warm' } as unknown as LrScheduleOptions,
      'lr_schedule.name: expected one of constant, step, exponential, cosine, reduce-on-plateau, got "warm"',
    ],
  ])('rejects bad options up front: %j', (spec, message) => {
    expect(() => createLrSchedule(spec, context)).toThrow(message);
    try {
      createLrSchedule(spec, context);
    } catch (e) {
      expect((e as Error).name).toBe('PolicyOptionsError');
    }
  });

  it('rejects a bad context', () => {
    expect(() => createLrSchedule(undefined, { ...context, baseLr: 0 })).toThrow(
      'baseLr: expected a positive number, got 0',
    );
  });
});

describe('reduce-on-plateau (Keras ReduceLROnPlateau semantics)', () => {
  const spec = {
    name: 'reduce-on-plateau',
    factor: 0.5,
    patience: 2,
    cooldown: 2,
    min_lr: 0.02,
    min_delta: 0.01,
  } as const;
  // Hand-traced through keras/src/callbacks/reduce_lr_on_plateau.py, mode min:
  //  e1 1.0   improves (best=inf)           wait 0
  //  e2 0.995 not < 0.99                    wait 1
  //  e3 0.98  improves                      wait 0
  //  e4 0.98                                wait 1
  //  e5 0.975 not < 0.97                    wait 2 -> lr 0.05, cooldown 2, wait 0
  //  e6 0.99  cooldown 2->1, still cooling  wait 0
  //  e7 0.99  cooldown 1->0                 wait 1
  //  e8 0.99                                wait 2 -> lr 0.025, cooldown 2
  //  e9 0.5   cooldown 2->1, improves       wait 0
  //  e10 0.5  cooldown 1->0                 wait 1
  //  e11 0.5                                wait 2 -> lr max(0.0125, min_lr) = 0.02
  //  e12 0.5  cooldown 2->1
  //  e13 0.5  cooldown 1->0                 wait 1
  //  e14 0.5  wait 2, lr 0.02 is not > min_lr: no reduction, wait not reset
  //  e15 0.5                                wait 3
  //  e16 0.3  improves                      wait 0
  const values = [1.0, 0.995, 0.98, 0.98, 0.975, 0.99, 0.99, 0.99, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3];
  const lrs = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02];

  it('matches a hand-traced Keras sequence with cooldown and min_lr', () => {
    const s = createLrSchedule(spec, { baseLr: 0.1, budgetTokens: 1e6, mode: 'min' });
    const got = values.map((v, i) => s.onEval(ev((i + 1) * 100, v)));
    expect(got).toEqual(lrs);
    expect(s.lrAt(123)).toBe(0.02);
  });

  it('reports reductions and keeps Keras counters in its state', () => {
    const s = createLrSchedule(spec, { baseLr: 0.1, budgetTokens: 1e6, mode: 'min' });
    for (const v of values.slice(0, 15)) s.onEval(ev(0, v));
    expect(s.snapshot()).toEqual({
      name: 'reduce-on-plateau',
      plateau: { lr: 0.02, best: 0.5, wait: 3, cooldownCounter: 0 },
    });
  });

  it('cooldown 1 has no effect beyond resetting wait, as in Keras', () => {
    const s = createLrSchedule(
      { name: 'reduce-on-plateau', factor: 0.5, patience: 1, cooldown: 1 },
      { baseLr: 1, budgetTokens: 1e6, mode: 'max' },
    );
    expect([0.5, 0.4, 0.4, 0.4].map((v) => s.onEval(ev(0, v)))).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it('patience 0 reduces on the first eval without improvement; mode max', () => {
    const s = createLrSchedule(
      { name: 'reduce-on-plateau', factor: 0.1, patience: 0 },
      { baseLr: 1, budgetTokens: 1e6, mode: 'max' },
    );
    expect(s.onEval(ev(0, 0.5))).toBe(1);
    expect(s.onEval(ev(0, 0.6))).toBe(1);
    expect(s.onEval(ev(0, 0.6))).toBeCloseTo(0.1, 15);
  });

  it('an explicit mode overrides the run mode; NaN never improves', () => {
    const s = createLrSchedule(
      { name: 'reduce-on-plateau', factor: 0.5, patience: 1, mode: 'min' },
      { baseLr: 1, budgetTokens: 1e6, mode: 'max' },
    );
    expect(s.onEval(ev(0, 0.5))).toBe(1);
    expect(s.onEval(ev(0, 0.6))).toBe(0.5);
    expect(s.onEval(ev(0, Number.NaN))).toBe(0.25);
  });

  it('restoring a snapshot mid-run continues exactly as the original', () => {
    const context = { baseLr: 0.1, budgetTokens: 1e6, mode: 'min' as const };
    for (let cut = 0; cut <= values.length; cut++) {
      const original = createLrSchedule(spec, context);
      const got: number[] = [];
      for (const v of values.slice(0, cut)) got.push(original.onEval(ev(0, v)));
      const resumed = createLrSchedule(spec, context);
      resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
      for (const v of values.slice(cut)) got.push(resumed.onEval(ev(0, v)));
      expect(got).toEqual(lrs);
    }
  });

  it('scale multiplies the current LR, and later reductions start from there', () => {
    const s = createLrSchedule(
      { name: 'reduce-on-plateau', factor: 0.5, patience: 1 },
      { baseLr: 1, budgetTokens: 1e6, mode: 'max' },
    );
    s.onEval(ev(0, 0.5));
    s.scale(0.1);
    expect(s.lrAt(0)).toBeCloseTo(0.1, 15);
    expect(s.onEval(ev(0, 0.5))).toBeCloseTo(0.05, 15);
  });

  it('refuses a state it did not write', () => {
    const s = createLrSchedule(spec, { baseLr: 0.1, budgetTokens: 1e6, mode: 'min' });
    expect(() => s.restore({ name: 'reduce-on-plateau', plateau: { lr: 'x' } })).toThrow(
      /cannot restore state/,
    );
  });
});
