import { describe, expect, it } from 'vitest';
import { CONTINUE, type Decision, type EvalPoint, type PolicyState, type StoppingPolicy } from '../types';
import { withLrDropBeforeStop } from './lr-drop-before-stop';

/** A small stateful patience rule (mode max, min_delta 0): stops after `patience` evals without a new best. */
function patience(n: number): StoppingPolicy {
  let best: number | null = null;
  let wait = 0;
  return {
    name: 'patience',
    decide({ evals }) {
      const v = evals[evals.length - 1]?.value ?? Number.NaN;
      if (best === null || v > best) {
        best = v;
        wait = 0;
      } else wait += 1;
      return wait >= n
        ? { kind: 'stop', reason: 'patience', detail: `no improvement in ${n} evals` }
        : CONTINUE;
    },
    snapshot: () => ({ best, wait }),
    restore(s: PolicyState) {
      best = s.best as number | null;
      wait = s.wait as number;
    },
  };
}

/** Runs `policy` over `values`, one eval at a time, until it stops; returns every decision. */
function run(policy: StoppingPolicy, values: number[]): Decision[] {
  const evals: EvalPoint[] = [];
  const out: Decision[] = [];
  for (const [i, value] of values.entries()) {
    evals.push({ step: i + 1, tokens: (i + 1) * 100, value });
    const d = policy.decide({ evals, peers: [] });
    out.push(d);
    if (d.kind === 'stop') break;
  }
  return out;
}

const kinds = (ds: Decision[]) => ds.map((d) => (d.kind === 'adjust' ? `adjust:${d.lrFactor}` : d.kind));

describe('withLrDropBeforeStop', () => {
  it('drops the LR instead of the first stop, then stops with the inner reason after a fruitless grace', () => {
    const p = withLrDropBeforeStop(patience(2), { mode: 'max' });
    const ds = run(p, [0.5, 0.6, 0.6, 0.6, 0.59, 0.6, 0.58, 0.7]);
    expect(kinds(ds)).toEqual([
      'continue',
      'continue',
      'continue',
      'adjust:0.1',
      'continue',
      'continue',
      'stop',
    ]);
    expect(ds[3]).toEqual({ kind: 'adjust', lrFactor: 0.1, reason: 'lr-drop-before-stop' });
    expect(ds[6]).toEqual({
      kind: 'stop',
      reason: 'patience',
      detail: 'no improvement in 2 evals; no improvement in 3 evals after an lr drop (x0.1)',
    });
  });

  it('continues when the grace improves the best, and the inner policy decides again later (one drop only)', () => {
    const p = withLrDropBeforeStop(patience(2), { mode: 'max', factor: 0.5, graceEvals: 2 });
    const ds = run(p, [0.5, 0.6, 0.6, 0.6, 0.55, 0.65, 0.64, 0.64, 0.9]);
    expect(kinds(ds)).toEqual([
      'continue',
      'continue',
      'continue',
      'adjust:0.5', // inner: patience ran out at eval 4
      'continue', // grace 1: no improvement
      'continue', // grace 2: 0.65 beats 0.6: back to normal
      'continue',
      'stop', // inner stops again: no second drop
    ]);
    expect(ds[7]).toMatchObject({ kind: 'stop', reason: 'patience', detail: 'no improvement in 2 evals' });
  });

  it('holds back inner stops during the grace', () => {
    // patience(1) says stop on every eval without a new best, grace included
    const p = withLrDropBeforeStop(patience(1), { mode: 'max', graceEvals: 3 });
    expect(kinds(run(p, [0.5, 0.4, 0.4, 0.4, 0.4]))).toEqual([
      'continue',
      'adjust:0.1',
      'continue',
      'continue',
      'stop',
    ]);
  });

  it('reads improvement the other way round for mode min', () => {
    // patience() treats larger as better; feed it negated losses
    const lossPatience = (): StoppingPolicy => {
      const inner = patience(1);
      return {
        ...inner,
        decide: ({ evals, peers }) =>
          inner.decide({ evals: evals.map((e) => ({ ...e, value: -e.value })), peers }),
      };
    };
    const p = withLrDropBeforeStop(lossPatience(), { mode: 'min', graceEvals: 2 });
    // 0.9 beats the best loss 1.0 in the grace; 0.85 is a new best for the inner rule too
    expect(kinds(run(p, [1.0, 1.1, 0.9, 0.85]))).toEqual(['continue', 'adjust:0.1', 'continue', 'continue']);
    const q = withLrDropBeforeStop(lossPatience(), { mode: 'min', graceEvals: 2 });
    expect(kinds(run(q, [1.0, 1.1, 1.05, 1.2]))).toEqual(['continue', 'adjust:0.1', 'continue', 'stop']);
  });

  it('passes a budget stop straight through', () => {
    const budget: StoppingPolicy = {
      name: 'b',
      decide: () => ({ kind: 'stop', reason: 'budget' }),
      snapshot: () => ({}),
      restore: () => {},
    };
    expect(kinds(run(withLrDropBeforeStop(budget, { mode: 'max' }), [0.1]))).toEqual(['stop']);
  });

  it('snapshot/restore (inner state included) decides exactly as the original', () => {
    const values = [0.5, 0.6, 0.6, 0.6, 0.55, 0.65, 0.64, 0.64, 0.9];
    const expected = run(withLrDropBeforeStop(patience(2), { mode: 'max', graceEvals: 2 }), values);
    for (let cut = 1; cut < expected.length; cut++) {
      const a = withLrDropBeforeStop(patience(2), { mode: 'max', graceEvals: 2 });
      const evals: EvalPoint[] = [];
      const got: Decision[] = [];
      values.forEach((value, i) => {
        evals.push({ step: i + 1, tokens: (i + 1) * 100, value });
      });
      for (let i = 0; i < cut; i++) got.push(a.decide({ evals: evals.slice(0, i + 1), peers: [] }));
      const b = withLrDropBeforeStop(patience(2), { mode: 'max', graceEvals: 2 });
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      for (let i = cut; i < expected.length; i++)
        got.push(b.decide({ evals: evals.slice(0, i + 1), peers: [] }));
      expect(got).toEqual(expected);
    }
  });

  it('validates its options', () => {
    expect(() => withLrDropBeforeStop(patience(1), { mode: 'max', factor: 1.5 })).toThrow(
      'factor: expected a number between 0 and 1, got 1.5',
    );
    expect(() => withLrDropBeforeStop(patience(1), { mode: 'max', graceEvals: 0 })).toThrow(
      'graceEvals: expected a positive integer, got 0',
    );
  });
});
