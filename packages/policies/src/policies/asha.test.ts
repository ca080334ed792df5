import { describe, expect, it } from 'vitest';
import type { AshaOptions } from '../options';
import { firstStop } from '../test-support';
import type { EvalPoint, Mode, PeerRun, RunInfo } from '../types';
import { createAshaPolicy } from './asha';

/** Budget 27,000 tokens and η = 3: default rungs (1/η³, 1/η², 1/η) at 1,000, 3,000 and 9,000 tokens. */
const BUDGET = 27_000;

function run(mode: Mode, budgetTokens = BUDGET): RunInfo {
  return { id: 'me', budgetTokens, mode };
}

function options(over: Partial<AshaOptions> = {}): AshaOptions {
  return {
    name: 'asha',
    monitor: 'em',
    mode: 'max',
    tolerance: 0.005,
    lr_drop_before_stop: false,
    reduction_factor: 3,
    ...over,
  };
}

/** One eval every `every` tokens, with the given values. */
function evalsOf(values: readonly number[], every = 1_000): EvalPoint[] {
  return values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * every, value }));
}

function peer(id: string, values: readonly number[], every = 1_000, budgetTokens = BUDGET): PeerRun {
  return { id, budgetTokens, evals: evalsOf(values, every), finished: false };
}

const rising = (start: number, per: number, n = 30) => Array.from({ length: n }, (_, i) => start + per * i);

describe('asha', () => {
  it('lets the first run, with nobody to compete with, train to its budget', () => {
    expect(firstStop(createAshaPolicy(options(), run('max')), evalsOf(rising(0.1, 0.001, 27)), [])).toBe(
      null,
    );
  });

  it('stops a run clearly below the others at the first rung (1,000 tokens)', () => {
    const peers = [peer('a', rising(0.5, 0.01)), peer('b', rising(0.6, 0.01)), peer('c', rising(0.7, 0.01))];
    const stop = firstStop(createAshaPolicy(options(), run('max')), evalsOf(rising(0.1, 0.01)), peers);
    expect(stop?.index).toBe(0);
    expect(stop?.decision).toMatchObject({ kind: 'stop', reason: 'halving' });
  });

  it('promotes the best run through every rung', () => {
    const peers = [peer('a', rising(0.5, 0.01)), peer('b', rising(0.6, 0.01)), peer('c', rising(0.3, 0.01))];
    expect(firstStop(createAshaPolicy(options(), run('max')), evalsOf(rising(0.8, 0.01)), peers)).toBe(null);
  });

  it('keeps the top floor(n / η): with 6 competitors at a rung, the second best continues, the third stops', () => {
    const peers = [0.9, 0.7, 0.5, 0.4, 0.3].map((v, i) => peer(`p${i}`, [v]));
    const at = (value: number) =>
      createAshaPolicy(options(), run('max')).decide({ evals: evalsOf([value]), peers });
    expect(at(0.8).kind).toBe('continue');
    expect(at(0.7).kind).toBe('continue'); // ties with the 2nd value: Optuna's `>=` promotes it
    expect(at(0.6)).toMatchObject({ kind: 'stop', reason: 'halving' });
  });

  it('judges each rung with the value at the eval that reaches it, not the best so far', () => {
    // The run peaks at 0.9 early but has dropped to 0.2 when it reaches the 3,000-token rung.
    const peers = [peer('a', rising(0.5, 0)), peer('b', rising(0.55, 0)), peer('c', rising(0.6, 0))];
    const stop = firstStop(createAshaPolicy(options(), run('max')), evalsOf([0.9, 0.5, 0.2, 0.2]), peers);
    expect(stop?.index).toBe(2);
  });

  it('judges an eval that crosses several rungs at every one of them', () => {
    // Evals every 4,000 tokens: the first eval reaches rung 0 (1,000) and rung 1 (3,000) at once.
    const peers = [peer('a', [0.5, 0.5, 0.5]), peer('b', [0.9, 0.1, 0.1], 3_000)];
    const policy = createAshaPolicy(options(), run('max'));
    // Rung 0: peers have 0.5 (first eval ≥ 1,000) and 0.9 → 0.95 is the best, promoted. Rung 1 (3,000):
    // peers have 0.5 and 0.9 (b's eval at 3,000) → still the best. With 0.6 it loses at rung 0.
    expect(policy.decide({ evals: evalsOf([0.95], 4_000), peers }).kind).toBe('continue');
    expect(createAshaPolicy(options(), run('max')).decide({ evals: evalsOf([0.6], 4_000), peers }).kind).toBe(
      'stop',
    );
  });

  it('places rungs at the same fraction of each run’s own budget', () => {
    // The peer's budget is twice ours, so its first rung is at 2,000 tokens: its value there is 0.8.
    const peers = [peer('big', [0.1, 0.8, 0.8], 1_000, 2 * BUDGET)];
    expect(createAshaPolicy(options(), run('max')).decide({ evals: evalsOf([0.5]), peers }).kind).toBe(
      'stop',
    );
    expect(createAshaPolicy(options(), run('max')).decide({ evals: evalsOf([0.85]), peers }).kind).toBe(
      'continue',
    );
  });

  it('uses min_resource_tokens for the first rung and stops judging after max_rungs', () => {
    const peers = [peer('a', rising(0.5, 0.01)), peer('b', rising(0.6, 0.01))];
    const policy = createAshaPolicy(options({ min_resource_tokens: 5_000, max_rungs: 1 }), run('max'));
    // Rung 0 at 5,000 tokens only: behind from the start, it is judged (and stopped) there.
    expect(firstStop(policy, evalsOf(rising(0.1, 0.01)), peers)?.index).toBe(4);
    const noRungs = createAshaPolicy(options({ max_rungs: 0 }), run('max'));
    expect(firstStop(noRungs, evalsOf(rising(0.1, 0.01)), peers)).toBe(null);
  });

  it('works in min mode (a loss)', () => {
    const peers = [
      peer('a', rising(0.5, -0.01)),
      peer('b', rising(0.4, -0.01)),
      peer('c', rising(0.3, -0.01)),
    ];
    const worst = firstStop(
      createAshaPolicy(options({ mode: 'min' }), run('min')),
      evalsOf(rising(0.9, -0.01)),
      peers,
    );
    expect(worst).toMatchObject({ index: 0, decision: { reason: 'halving' } });
    const best = firstStop(
      createAshaPolicy(options({ mode: 'min' }), run('min')),
      evalsOf(rising(0.1, -0.011)),
      peers,
    );
    expect(best).toBe(null);
  });

  it('decides the same after a snapshot/restore at every eval', () => {
    const peers = [
      peer('a', rising(0.3, 0.01)),
      peer('b', rising(0.35, 0.012)),
      peer('c', rising(0.2, 0.02)),
    ];
    const evals = evalsOf(rising(0.32, 0.011));
    for (let k = 0; k < evals.length; k++) {
      const original = createAshaPolicy(options(), run('max'));
      for (let i = 0; i <= k; i++) original.decide({ evals: evals.slice(0, i + 1), peers });
      const resumed = createAshaPolicy(options(), run('max'));
      resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
      for (let i = k + 1; i < evals.length; i++) {
        const input = { evals: evals.slice(0, i + 1), peers };
        expect(resumed.decide(input)).toEqual(original.decide(input));
      }
    }
  });

  it('never lets evals after the stop change where it stops', () => {
    const peers = [
      peer('a', rising(0.3, 0.01)),
      peer('b', rising(0.35, 0.012)),
      peer('c', rising(0.2, 0.02)),
    ];
    const values = rising(0.32, 0.005);
    const stop = firstStop(createAshaPolicy(options(), run('max')), evalsOf(values), peers);
    expect(stop).not.toBe(null);
    const index = stop?.index ?? 0;
    const changed = values.map((v, i) => (i > index ? 1 : v));
    expect(firstStop(createAshaPolicy(options(), run('max')), evalsOf(changed), peers)?.index).toBe(index);
  });

  it('promotes max(floor(n · share), 1) at a rung given a keep share (auto), 1/η elsewhere', () => {
    // Nine peers at rung 0 (1,000 tokens) and at rung 1 (3,000): with share 1/9 only the best of ten
    // goes on at rung 0; at rung 1 the default 1/3 keeps the top 3 of 10 (0.85 is 2nd, 0.65 4th).
    const peers = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1].map((v, i) => peer(`p${i}`, [v, v, v]));
    const shared = (values: number[]) =>
      firstStop(createAshaPolicy(options(), run('max'), { keepShares: [1 / 9] }), evalsOf(values), peers);
    expect(shared([0.85])).toMatchObject({ index: 0, decision: { reason: 'halving' } });
    expect(shared([0.95, 0.95, 0.85])).toBe(null);
    expect(shared([0.95, 0.95, 0.65])).toMatchObject({ index: 2, decision: { reason: 'halving' } });
    // Without a share, 0.85 is second of ten at rung 0: within the top floor(10 / 3) = 3.
    expect(firstStop(createAshaPolicy(options(), run('max')), evalsOf([0.85]), peers)).toBe(null);
  });

  it('with rerank, stops a run promoted alone once better peers reach its rung', () => {
    // Evals every 500 tokens: rung 0 (1,000 tokens) is reached at the second eval, with 0.5.
    const evals = evalsOf([0.45, 0.5, 0.51, 0.52], 500);
    const lateRivals = [0.9, 0.8, 0.7].map((v, i) => peer(`late${i}`, [v]));
    const policy = createAshaPolicy(options(), run('max'), { rerank: true });
    // Alone at rung 0: promoted, and it keeps training while nobody else has reached the rung.
    expect(policy.decide({ evals: evals.slice(0, 2), peers: [] }).kind).toBe('continue');
    expect(policy.decide({ evals: evals.slice(0, 3), peers: [] }).kind).toBe('continue');
    // Three runs then reach rung 0 above its 0.5: of four, only the top one is promoted.
    const stop = policy.decide({ evals, peers: lateRivals });
    expect(stop).toMatchObject({ kind: 'stop', reason: 'halving' });
    expect(stop.kind === 'stop' && stop.detail).toContain('no longer in the top 1 of 4 at rung 0');
    // Plain asha (Optuna) never revisits a promotion.
    const plain = createAshaPolicy(options(), run('max'));
    plain.decide({ evals: evals.slice(0, 2), peers: [] });
    expect(plain.decide({ evals, peers: lateRivals }).kind).toBe('continue');
  });

  it('with rerank, decides the same after a snapshot/restore at every eval, and keeps rung values in place', () => {
    // Evals every 500 tokens; the rivals reach rung 0 (1,000 tokens) with more than our 0.41 only
    // once we have passed it, so the stop comes from ranking again.
    const evals = evalsOf(rising(0.4, 0.01, 12), 500);
    const rivals = [peer('a', [0.6, 0.6, 0.6]), peer('b', [0.7, 0.7, 0.7])];
    const visible = (i: number) => (i < 4 ? [] : rivals);
    const extras = { rerank: true };
    const whole = firstStop(createAshaPolicy(options(), run('max'), extras), evals.slice(0, 4));
    expect(whole).toBe(null);
    let stops = 0;
    for (let k = 0; k < evals.length; k++) {
      const original = createAshaPolicy(options(), run('max'), extras);
      for (let i = 0; i <= k; i++) original.decide({ evals: evals.slice(0, i + 1), peers: visible(i) });
      const resumed = createAshaPolicy(options(), run('max'), extras);
      resumed.restore(JSON.parse(JSON.stringify(original.snapshot())));
      for (let i = k + 1; i < evals.length; i++) {
        const input = { evals: evals.slice(0, i + 1), peers: visible(i) };
        const decision = original.decide(input);
        if (decision.kind === 'stop') stops++;
        expect(resumed.decide(input)).toEqual(decision);
      }
    }
    expect(stops).toBeGreaterThan(0);
    // A state saved before rung values were kept ranks nothing again; infinite values survive JSON.
    const old = createAshaPolicy(options(), run('max'), extras);
    old.restore({ seen: 2, nextRung: 1, last: { kind: 'continue' } });
    expect(old.decide({ evals: evals.slice(0, 5), peers: rivals }).kind).toBe('continue');
    const infinite = createAshaPolicy(options(), run('max'), extras);
    infinite.decide({ evals: evalsOf([0.1, Number.POSITIVE_INFINITY], 500), peers: [] });
    const restored = createAshaPolicy(options(), run('max'), extras);
    restored.restore(JSON.parse(JSON.stringify(infinite.snapshot())));
    expect(restored.snapshot()).toEqual(infinite.snapshot());
    expect(
      restored.decide({ evals: evalsOf([0.1, Number.POSITIVE_INFINITY, 0.2], 500), peers: rivals }).kind,
    ).toBe('continue');
  });

  it('rejects options it cannot work with, naming the option and the value', () => {
    expect(() => createAshaPolicy(options({ reduction_factor: 1 }), run('max'))).toThrow(
      'reduction_factor: expected a number >= 2, got 1',
    );
    expect(() => createAshaPolicy(options({ min_resource_tokens: 0 }), run('max'))).toThrow(
      'min_resource_tokens: expected a positive number, got 0',
    );
    expect(() => createAshaPolicy(options({ max_rungs: -1 }), run('max'))).toThrow(
      'max_rungs: expected a non-negative integer, got -1',
    );
    expect(() => createAshaPolicy(options(), run('max', 0))).toThrow(
      'budgetTokens: expected a positive number, got 0',
    );
  });
});
