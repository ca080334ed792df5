import { describe, expect, it } from 'vitest';
import type { RankHistory } from '../learn/rank-history';
import { STATE_FEATURES } from '../learn/state-features';
import type { StopModel } from '../learn/stop-model';
import type { AutoOptions } from '../options';
import type { EvalPoint, PeerRun, RunInfo } from '../types';
import { createAutoPolicy } from './auto';

const BUDGET = 27_000;
const run: RunInfo = { id: 'me', budgetTokens: BUDGET, mode: 'max' };
const options: AutoOptions = {
  name: 'auto',
  monitor: 'em',
  mode: 'max',
  tolerance: 0.005,
  lr_drop_before_stop: false,
};

/**
 * A model that always expects plenty more (so only successive halving stops anything), whose
 * history groups needed a first rung to keep the shares `needed` to keep a near-best run.
 */
function model(
  needed: number[],
  progress: RankHistory = { statistic: 'best-so-far', fractions: [], groups: [] },
): StopModel {
  return {
    format: 'curfew-stop-model/1',
    features: STATE_FEATURES,
    mean: { base: 0.5, learningRate: 0.1, trees: [] },
    upper: { base: 1, learningRate: 0.1, trees: [] },
    upperQuantile: 0.97,
    calibration: [{ threshold: 0.001, meanLoss: 0.001, saved: 0.1 }],
    rungRanks: {
      statistic: 'value-at',
      fractions: [1 / 27],
      groups: needed.map((keep) => [[{ gap: 0, keep }]]),
    },
    progressRanks: progress,
    history: { runs: 100, tasks: ['a', 'b'] },
  };
}

const at = (value: number): EvalPoint[] => [{ step: 1, tokens: 1_000, value }];
/** Nine peers at the first rung (1,000 tokens), 0.9 down to 0.1. */
const peers: PeerRun[] = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1].map((v, i) => ({
  id: `p${i}`,
  budgetTokens: BUDGET,
  evals: at(v),
  finished: false,
}));

describe('auto across an experiment', () => {
  it('promotes at the first rung the share history needed (times 2.5, at least 1/η²) instead of 1/η', () => {
    // History needed at most 4%: 2.5 × 0.04 is below 1/η², so 1/9 of ten (one run) goes on.
    const tight = createAutoPolicy(options, run, model([0.04, 0.02]));
    expect(tight.decide({ evals: at(0.85), peers })).toMatchObject({ kind: 'stop', reason: 'halving' });
    // History needed 10%: 2.5 × 0.1 = 0.25 of ten keeps two, so the second best goes on.
    const wider = createAutoPolicy(options, run, model([0.1, 0.08]));
    expect(wider.decide({ evals: at(0.85), peers }).kind).toBe('continue');
    expect(
      createAutoPolicy(options, run, model([0.1, 0.08])).decide({ evals: at(0.75), peers }),
    ).toMatchObject({
      kind: 'stop',
    });
  });

  it('falls back to 1/η at the first rung without groups to learn from', () => {
    const policy = createAutoPolicy(options, run, model([]));
    expect(policy.decide({ evals: at(0.75), peers }).kind).toBe('continue');
    expect(createAutoPolicy(options, run, null).decide({ evals: at(0.75), peers }).kind).toBe('continue');
  });

  it('stops a run promoted while alone once better runs reach the rung', () => {
    const policy = createAutoPolicy(options, run, model([0.1, 0.08]));
    const evals = [...at(0.5), { step: 2, tokens: 2_000, value: 0.55 }];
    expect(policy.decide({ evals: evals.slice(0, 1), peers: peers.slice(8) }).kind).toBe('continue');
    expect(policy.decide({ evals, peers })).toMatchObject({ kind: 'stop', reason: 'halving' });
  });

  it('stops a run that stands below what history kept at a point of the budget (outranked)', () => {
    // History: at 2/27 of the budget a near-best run stood in the top 10% (2.5 × 0.1: keep a quarter).
    const progress: RankHistory = {
      statistic: 'best-so-far',
      fractions: [2 / 27],
      groups: [[[{ gap: 0, keep: 0.1 }]], [[{ gap: 0, keep: 0.05 }]]],
    };
    const policy = createAutoPolicy(options, run, model([0.1, 0.08], progress));
    // At the first rung (1,000 tokens) 0.85 is second of ten and goes on. At 2,000 tokens the peers'
    // best so far are 1.0, 0.9, 0.8, …: with 0.85 it is third of ten, and a quarter keeps two.
    const peers2 = peers.map((p) => ({
      ...p,
      evals: [...p.evals, { step: 2, tokens: 2_000, value: (p.evals[0]?.value ?? 0) + 0.1 }],
    }));
    const evals = [...at(0.85), { step: 2, tokens: 2_000, value: 0.8 }];
    expect(policy.decide({ evals: evals.slice(0, 1), peers: peers2 }).kind).toBe('continue');
    expect(policy.decide({ evals, peers: peers2 })).toMatchObject({ kind: 'stop', reason: 'outranked' });
    // Without that history it goes on.
    const plain = createAutoPolicy(options, run, model([0.1, 0.08]));
    plain.decide({ evals: evals.slice(0, 1), peers: peers2 });
    expect(plain.decide({ evals, peers: peers2 }).kind).toBe('continue');
  });

  it('restores a state saved before it had the outranked part', () => {
    const policy = createAutoPolicy(options, run, model([0.1, 0.08]));
    policy.decide({ evals: at(0.95), peers });
    const state = policy.snapshot();
    const parts = state.parts as unknown[];
    const old = createAutoPolicy(options, run, model([0.1, 0.08]));
    old.restore({ parts: parts.slice(0, 2) });
    expect(old.snapshot()).toEqual(state);
  });
});
