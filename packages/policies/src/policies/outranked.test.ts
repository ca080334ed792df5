import { describe, expect, it } from 'vitest';
import { firstStop } from '../test-support';
import type { EvalPoint, PeerRun, RunInfo } from '../types';
import { createOutrankedPolicy, type OutrankedSettings } from './outranked';

/** Budget 27,000 tokens: the first rung at 1,000 (1/27), ranking from 2,000 (2/27) on. */
const BUDGET = 27_000;
const run: RunInfo = { id: 'me', budgetTokens: BUDGET, mode: 'max' };
const settings: OutrankedSettings = {
  mode: 'max',
  fromFraction: 1 / 27,
  fractions: [2 / 27, 1 / 3],
  shares: [0.5, 0.25],
};

function evalsOf(values: readonly number[], every = 1_000): EvalPoint[] {
  return values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * every, value }));
}

function peer(id: string, values: readonly number[], budgetTokens = BUDGET): PeerRun {
  return { id, budgetTokens, evals: evalsOf(values), finished: false };
}

describe('outranked', () => {
  // Four peers that reached the first rung; with us, five runs: a share of 0.5 keeps two.
  const peers = [
    peer('a', [0.5, 0.6, 0.7]),
    peer('b', [0.4, 0.5, 0.6]),
    peer('c', [0.2, 0.3, 0.35]),
    peer('d', [0.1, 0.15, 0.2]),
  ];

  it('stops a run whose best so far stands below the kept share at its point of the budget', () => {
    // At 2,000 tokens the peers' best so far are 0.6, 0.5, 0.3, 0.15: 0.45 is third of five.
    const stop = firstStop(createOutrankedPolicy(run, settings), evalsOf([0.4, 0.45, 0.9]), peers);
    expect(stop).toMatchObject({ index: 1, decision: { kind: 'stop', reason: 'outranked' } });
    expect(stop?.decision.kind === 'stop' && stop.decision.detail).toContain('2 of 5 runs are ahead');
    // 0.55 is second of five: kept.
    expect(firstStop(createOutrankedPolicy(run, settings), evalsOf([0.4, 0.55]), peers)).toBe(null);
  });

  it('judges nothing before the first fraction, nor with a share of 1, nor without peers', () => {
    expect(createOutrankedPolicy(run, settings).decide({ evals: evalsOf([0.01]), peers }).kind).toBe(
      'continue',
    );
    const all = createOutrankedPolicy(run, { ...settings, shares: [1, 1] });
    expect(firstStop(all, evalsOf([0.01, 0.01, 0.01]), peers)).toBe(null);
    expect(firstStop(createOutrankedPolicy(run, settings), evalsOf([0.01, 0.01, 0.01]), [])).toBe(null);
  });

  it('compares best so far at the same fraction of each peer’s own budget, and counts only peers past the first rung', () => {
    // A peer with twice our budget has, at 2/27 of it (4,000 tokens), reached 0.95; at 2,000 it had 0.3.
    const big = peer('big', [0.1, 0.3, 0.5, 0.95], 2 * BUDGET);
    // A peer that has not reached its first rung (1,000 tokens) yet does not count.
    const young: PeerRun = {
      id: 'young',
      budgetTokens: BUDGET,
      evals: [{ step: 1, tokens: 500, value: 0.99 }],
      finished: false,
    };
    // At 2,000 tokens (2/27) we have 0.4; the big peer, at 2/27 of its budget, had 0.95 (by tokens
    // alone, 0.3 at 2,000). Two runs count (not the young one): a share of 0.5 keeps one.
    const stop = createOutrankedPolicy(run, settings).decide({
      evals: evalsOf([0.2, 0.4]),
      peers: [big, young],
    });
    expect(stop).toMatchObject({ kind: 'stop', reason: 'outranked' });
    expect(stop.kind === 'stop' && stop.detail).toContain('1 of 2 runs are ahead');
    // Before the big peer's 0.95 is visible, it stands by its best up to its last eval, 0.5: 0.4
    // trails it, 0.55 leads.
    const early = { ...big, evals: big.evals.slice(0, 3) };
    expect(
      createOutrankedPolicy(run, settings).decide({ evals: evalsOf([0.2, 0.4]), peers: [early, young] }).kind,
    ).toBe('stop');
    expect(
      createOutrankedPolicy(run, settings).decide({ evals: evalsOf([0.2, 0.55]), peers: [early, young] })
        .kind,
    ).toBe('continue');
  });

  it('uses the share of the latest fraction reached', () => {
    // From 9,000 tokens (1/3) the share is 0.25: of five runs one goes on; second is no longer enough.
    const long = peers.map((p, i) =>
      peer(
        p.id,
        Array.from({ length: 10 }, (_, k) => 0.9 - 0.2 * i + 0.001 * k),
      ),
    );
    const values = Array.from({ length: 10 }, (_, k) => 0.75 + 0.001 * k);
    const stop = firstStop(createOutrankedPolicy(run, settings), evalsOf(values), long);
    expect(stop?.index).toBe(8);
  });

  it('judges once per fraction, at the first eval at or past it', () => {
    // Behind at 2,000 tokens would stop it; at 3,000 (still before 1/3) it is not judged again.
    const policy = createOutrankedPolicy(run, settings);
    expect(policy.decide({ evals: evalsOf([0.4, 0.55]), peers }).kind).toBe('continue');
    expect(
      policy.decide({ evals: evalsOf([0.4, 0.55, 0.1]), peers: [...peers, peer('e', [0.9, 0.95, 0.99])] })
        .kind,
    ).toBe('continue');
  });

  it('leaves out a peer with no eval yet by this fraction of its budget', () => {
    // Its first eval, at 5,000 of 27,000 tokens, lies past 2/27: it does not stand at 2,000 yet.
    const sparse = {
      id: 'sparse',
      budgetTokens: BUDGET,
      evals: [{ step: 1, tokens: 5_000, value: 0.99 }],
      finished: false,
    };
    const stop = createOutrankedPolicy(run, settings).decide({
      evals: evalsOf([0.4, 0.45]),
      peers: [...peers, sparse],
    });
    expect(stop.kind === 'stop' && stop.detail).toContain('2 of 5 runs are ahead');
  });

  it('follows a peer whose evals grow in place, and one whose evals are rewritten', () => {
    // As in a replay, the same peer object gains evals between decisions.
    const growing: PeerRun & { evals: EvalPoint[] } = { ...peer('g', [0.1]), evals: evalsOf([0.1]) };
    const others = [peer('x', [0.2, 0.3]), peer('y', [0.2, 0.35])];
    const at = (mine: number) =>
      createOutrankedPolicy(run, { ...settings, shares: [0.25, 0.25] }).decide({
        evals: evalsOf([0.1, mine]),
        peers: [growing, ...others],
      });
    expect(at(0.4).kind).toBe('continue');
    growing.evals.push({ step: 2, tokens: 2_000, value: 0.9 });
    expect(at(0.4)).toMatchObject({ kind: 'stop', reason: 'outranked' });
    // Its last eval rewritten in place (same number of evals): the new value counts.
    growing.evals[1] = { step: 2, tokens: 2_000, value: 0.2 };
    expect(at(0.4).kind).toBe('continue');
  });

  it('works in min mode (a loss)', () => {
    const losses = peers.map((p) => ({ ...p, evals: p.evals.map((e) => ({ ...e, value: 1 - e.value })) }));
    const minRun: RunInfo = { ...run, mode: 'min' };
    const policy = createOutrankedPolicy(minRun, { ...settings, mode: 'min' });
    expect(firstStop(policy, evalsOf([0.6, 0.55]), losses)).toMatchObject({ index: 1 });
    expect(
      firstStop(createOutrankedPolicy(minRun, { ...settings, mode: 'min' }), evalsOf([0.6, 0.45]), losses),
    ).toBe(null);
  });
});
