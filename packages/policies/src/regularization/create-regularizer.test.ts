import { describe, expect, it } from 'vitest';
import { createRegularizer, type RegularizationOptions } from './create-regularizer';

const options: RegularizationOptions = {
  adaptive: true,
  max_weight_decay: 0.01,
  max_dropout: 0.5,
  gap_threshold: 0.05,
};

/** Feeds (train, val) EM pairs; returns each eval's step. */
function feed(
  r: ReturnType<typeof createRegularizer>,
  pairs: [number, number][],
  mode: 'max' | 'min' = 'max',
) {
  return pairs.map(([trainValue, valValue]) => r.onEval({ trainValue, valValue, mode }));
}

describe('createRegularizer', () => {
  it('raises weight decay (from a floor when 0) and dropout when the gap widens past the threshold', () => {
    const r = createRegularizer(options, { weightDecay: 0, dropout: 0 });
    const steps = feed(r, [
      [0.5, 0.48], // gap 0.02
      [0.6, 0.54], // 0.06
      [0.7, 0.6], // 0.10: widening over 3 evals, above threshold
    ]);
    expect(steps.map((s) => s.changed)).toEqual([false, false, true]);
    expect(steps[2]).toEqual({ weightDecay: 1e-4, dropout: 0.1, changed: true });
  });

  it('needs fresh evidence after a change, then doubles weight decay', () => {
    const r = createRegularizer(options, { weightDecay: 0.001, dropout: 0.1 });
    const steps = feed(r, [
      [0.5, 0.43],
      [0.6, 0.52],
      [0.7, 0.6], // raise
      [0.75, 0.63], // window restarted: 1 gap
      [0.8, 0.66], // 2 gaps
      [0.85, 0.69], // 3 widening gaps: raise
    ]);
    expect(steps.map((s) => s.changed)).toEqual([false, false, true, false, false, true]);
    expect(steps[2]).toMatchObject({ weightDecay: 0.002, dropout: 0.2 });
    expect(steps[5]).toMatchObject({ weightDecay: 0.004, dropout: 0.3 });
  });

  it('holds the values when the gap closes or stays below the threshold', () => {
    const r = createRegularizer(options, { weightDecay: 0.001, dropout: 0.1 });
    const closing = feed(r, [
      [0.7, 0.5],
      [0.7, 0.55],
      [0.7, 0.6],
      [0.7, 0.62],
    ]);
    expect(closing.every((s) => !s.changed && s.weightDecay === 0.001 && s.dropout === 0.1)).toBe(true);
    const small = feed(r, [
      [0.5, 0.49],
      [0.5, 0.48],
      [0.5, 0.46], // widening but 0.04 <= 0.05
    ]);
    expect(small.some((s) => s.changed)).toBe(false);
  });

  it('needs the newest gap to be the widest, not just a rising average', () => {
    const r = createRegularizer(options, { weightDecay: 0.001, dropout: 0.1 });
    const steps = feed(r, [
      [0.7, 0.6],
      [0.8, 0.5], // 0.3
      [0.8, 0.6], // 0.2 > 0.1 first, but narrower than the last one
    ]);
    expect(steps.some((s) => s.changed)).toBe(false);
  });

  it('never exceeds the ceilings, and never lowers values set above them', () => {
    const r = createRegularizer(options, { weightDecay: 0.004, dropout: 0.35 });
    let gap = 0.06;
    const seen = [];
    for (let i = 0; i < 40; i++) {
      gap += 0.01;
      seen.push(...feed(r, [[0.3 + gap, 0.3]]));
    }
    const changes = seen.filter((s) => s.changed);
    expect(changes.map((s) => [s.weightDecay, s.dropout])).toEqual([
      [0.008, 0.45],
      [0.01, 0.5],
    ]);
    expect(r.current).toEqual({ weightDecay: 0.01, dropout: 0.5 });

    const above = createRegularizer(options, { weightDecay: 0.05, dropout: 0.6 });
    const steps = feed(above, [
      [0.5, 0.4],
      [0.6, 0.45],
      [0.7, 0.5],
    ]);
    expect(steps.every((s) => !s.changed && s.weightDecay === 0.05 && s.dropout === 0.6)).toBe(true);
  });

  it('reads the gap the other way round for losses (mode min)', () => {
    const r = createRegularizer(options, { weightDecay: 0, dropout: 0 });
    const steps = feed(
      r,
      [
        [1.0, 1.1],
        [0.9, 1.1],
        [0.8, 1.1],
      ],
      'min',
    );
    expect(steps.map((s) => s.changed)).toEqual([false, false, true]);
  });

  it('does nothing when adaptive is false', () => {
    const r = createRegularizer({ ...options, adaptive: false }, { weightDecay: 0, dropout: 0 });
    const steps = feed(r, [
      [0.5, 0.3],
      [0.7, 0.3],
      [0.9, 0.3],
    ]);
    expect(steps.some((s) => s.changed)).toBe(false);
  });

  it('snapshot/restore continues exactly as the original', () => {
    const pairs: [number, number][] = Array.from({ length: 20 }, (_, i) => [0.3 + 0.03 * i, 0.3 + 0.01 * i]);
    const full = feed(createRegularizer(options, { weightDecay: 0, dropout: 0 }), pairs);
    for (let cut = 0; cut <= pairs.length; cut++) {
      const a = createRegularizer(options, { weightDecay: 0, dropout: 0 });
      const got = feed(a, pairs.slice(0, cut));
      const b = createRegularizer(options, { weightDecay: 0, dropout: 0 });
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      got.push(...feed(b, pairs.slice(cut)));
      expect(got).toEqual(full);
    }
  });

  it('validates options up front', () => {
    expect(() =>
      createRegularizer({ ...options, max_dropout: 0.95 }, { weightDecay: 0, dropout: 0 }),
    ).toThrow('regularization.max_dropout: expected a number from 0 to 0.9, got 0.95');
    expect(() =>
      createRegularizer({ ...options, gap_threshold: -1 }, { weightDecay: 0, dropout: 0 }),
    ).toThrow('regularization.gap_threshold: expected a number from 0 to 1, got -1');
    expect(() => createRegularizer(options, { weightDecay: -1, dropout: 0 })).toThrow(
      'weightDecay: expected a non-negative number, got -1',
    );
  });
});
