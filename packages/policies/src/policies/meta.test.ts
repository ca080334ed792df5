import { describe, expect, it } from 'vitest';
import type { StopModel } from '../learn/stop-model';
import type { MetaOptions } from '../options';
import { stubStopModel } from '../test-support';
import type { EvalPoint, PeerRun, RunInfo } from '../types';
import { createMetaPolicy } from './meta';

/** A model that expects `gainLeft` more from any state (mean) and `upside` at most (quantile). */
function constantModel(gainLeft: number, upside: number): StopModel {
  return stubStopModel({
    mean: { base: gainLeft, learningRate: 0.1, trees: [] },
    upper: { base: upside, learningRate: 0.1, trees: [] },
    calibration: [
      { threshold: 0.001, meanLoss: 0.001, saved: 0.1 },
      { threshold: 0.002, meanLoss: 0.004, saved: 0.2 },
      { threshold: 0.004, meanLoss: 0.009, saved: 0.3 },
    ],
    history: { runs: 100, tasks: ['a', 'b'] },
  });
}

const options: MetaOptions = {
  name: 'meta',
  monitor: 'em',
  mode: 'max',
  tolerance: 0.005,
  lr_drop_before_stop: false,
};
const run: RunInfo = { id: 'r', budgetTokens: 1000, mode: 'max' };
const evalsOf = (values: number[], losses?: number[]): EvalPoint[] =>
  values.map((value, i) => ({
    step: i + 1,
    tokens: (i + 1) * 50,
    value,
    ...(losses ? { metrics: { loss: losses[i] as number } } : {}),
  }));

describe('meta', () => {
  it('stops when the gain it expects is below the threshold calibrated for the tolerance', () => {
    const expectsLittle = createMetaPolicy(options, run, constantModel(0.0015, 0.01));
    expect(expectsLittle.decide({ evals: evalsOf([0.5, 0.6]), peers: [] })).toMatchObject({
      kind: 'stop',
      reason: 'predicted-peak',
    });
    const expectsMore = createMetaPolicy(options, run, constantModel(0.003, 0.01));
    expect(expectsMore.decide({ evals: evalsOf([0.5, 0.6]), peers: [] }).kind).toBe('continue');
  });

  it('waits while the validation loss is still clearly falling, though EM is flat', () => {
    const policy = createMetaPolicy(options, run, constantModel(0.0015, 0.01));
    const flat = [0.6, 0.6, 0.6, 0.6, 0.6, 0.6];
    expect(policy.decide({ evals: evalsOf(flat, [1, 0.9, 0.8, 0.7, 0.6, 0.5]), peers: [] }).kind).toBe(
      'continue',
    );
    expect(policy.decide({ evals: evalsOf(flat, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), peers: [] }).kind).toBe(
      'stop',
    );
  });

  it('in an experiment, stops a run whose optimistic outcome cannot beat the best peer', () => {
    const policy = createMetaPolicy(options, run, constantModel(0.01, 0.05));
    const leader: PeerRun = { id: 'leader', budgetTokens: 1000, evals: evalsOf([0.8, 0.9]), finished: false };
    expect(policy.decide({ evals: evalsOf([0.3, 0.4]), peers: [leader] })).toMatchObject({
      kind: 'stop',
      reason: 'hopeless',
    });
    // Within reach of the leader: goes on.
    expect(policy.decide({ evals: evalsOf([0.8, 0.89]), peers: [leader] }).kind).toBe('continue');
  });

  it('calls no run hopeless on a model it could not validate (no calibration)', () => {
    const unvalidated = { ...constantModel(0.01, 0.05), calibration: [] };
    const policy = createMetaPolicy(options, run, unvalidated);
    const leader: PeerRun = { id: 'leader', budgetTokens: 1000, evals: evalsOf([0.8, 0.9]), finished: false };
    expect(policy.decide({ evals: evalsOf([0.3, 0.4]), peers: [leader] }).kind).toBe('continue');
  });

  it("keeps each model's expectations of a peer apart (runs of other folds share peers)", () => {
    const peer: PeerRun = { id: 'p', budgetTokens: 1000, evals: evalsOf([0.5]), finished: false };
    const mine = evalsOf([0.3, 0.45]);
    const optimistic = createMetaPolicy(options, run, constantModel(0.4, 0.1));
    expect(optimistic.decide({ evals: mine, peers: [peer] })).toMatchObject({
      kind: 'stop',
      reason: 'hopeless',
    });
    const sober = createMetaPolicy(options, run, constantModel(0.003, 0.1));
    expect(sober.decide({ evals: mine, peers: [peer] }).kind).toBe('continue');
  });

  it('does not count on a finished peer gaining more', () => {
    const done: PeerRun = { id: 'done', budgetTokens: 1000, evals: evalsOf([0.5]), finished: true };
    const policy = createMetaPolicy(options, run, constantModel(0.4, 0.1));
    expect(policy.decide({ evals: evalsOf([0.3, 0.45]), peers: [done] }).kind).toBe('continue');
  });

  it('rejects a run without a budget', () => {
    expect(() => createMetaPolicy(options, { ...run, budgetTokens: 0 }, constantModel(0.01, 0.05))).toThrow(
      'budgetTokens: expected a positive number, got 0',
    );
  });
});
