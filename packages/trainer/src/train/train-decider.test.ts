import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Decision } from '@curfew/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { evalDifferences } from '../same-evals';
import { tinyRun } from '../test-support';
import type { Decider, EvalReport } from './decider';
import { createLocalDecider } from './local-decider';
import { train } from './train-run';
import type { TrainEval } from './types';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

const patience = tinyRun({
  budgetTokens: 24_000,
  policy: {
    name: 'patience',
    monitor: 'em',
    mode: 'max',
    patience: 2,
    min_delta: 0.02,
    start_from_eval: 0,
    restore_best: true,
    tolerance: 0.005,
    lr_drop_before_stop: false,
  },
});

/** A decider that asks the local one and keeps what it was told, as the decision service would. */
function recording(inner: Decider): Decider & { decided: EvalReport[]; peeked: number } {
  const decided: EvalReport[] = [];
  let peeked = 0;
  return {
    decided,
    get peeked() {
      return peeked;
    },
    decide(report) {
      decided.push(report);
      return inner.decide(report);
    },
    peek(report) {
      peeked += 1;
      return inner.peek(report);
    },
    snapshot: () => inner.snapshot?.() ?? {},
    restore: (state) => inner.restore?.(state),
  };
}

describe('train with a decider', () => {
  it('asks its decider once per eval, in order, and obeys it', async () => {
    const decider = recording(createLocalDecider(patience));
    const evals: TrainEval[] = [];
    const summary = await train(patience, { backend: 'cpu', decider, onEval: (e) => void evals.push(e) });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'patience' });
    expect(decider.decided.map((r) => r.step)).toEqual(evals.map((e) => e.step));
    expect(decider.decided[0]?.metrics).toEqual({
      em: evals[0]?.em,
      loss: evals[0]?.valLoss,
      perplexity: evals[0]?.perplexity,
      train_loss: evals[0]?.trainLoss,
    });
  });

  it('stops a run whose loss turns non-finite at once, with reason diverged', async () => {
    // Weight decay this large makes each SGD step multiply the weights by -999: the loss overflows
    // long before the first eval (every 100 steps of 48 tokens).
    const params = {
      hidden: 16,
      layers: 1,
      lr: 1,
      batch_size: 8,
      optimizer: 'sgd',
      weight_decay: 1_000,
      seed: 3,
    };
    const run = tinyRun({ model: { family: 'mlp', params }, budgetTokens: 48_000, evalEveryTokens: 4_800 });
    const evals: TrainEval[] = [];
    const summary = await train(run, { backend: 'cpu', onEval: (e) => void evals.push(e) });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'diverged' });
    const last = evals.at(-1) as TrainEval;
    expect(Number.isFinite(last.trainLoss)).toBe(false);
    expect(last.decision).toBe('stop:diverged');
    // Reported at the step the loss broke down, not at the next eval's.
    expect(evals).toHaveLength(1);
    expect(last.step).toBeLessThan(100);
  });

  it('stops without a checkpoint of the eval when its decider refuses it (a stale attempt)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'curfew-decider-'));
    dirs.push(dir);
    const refusing: Decider = {
      decide(report): Decision {
        if (report.step >= 30)
          throw Object.assign(new Error('attempt superseded'), { name: 'StaleAttemptError' });
        return { kind: 'continue' };
      },
      peek: () => ({ kind: 'continue' }),
    };
    const checkpoints: number[] = [];
    await expect(
      train(tinyRun(), {
        backend: 'cpu',
        checkpointDir: dir,
        decider: refusing,
        onCheckpoint: (c) => void (c.kind === 'latest' && checkpoints.push(c.step)),
      }),
    ).rejects.toMatchObject({ name: 'StaleAttemptError' });
    expect(checkpoints).toEqual([10, 20]);
  });

  it('keeps the local policy in the checkpoint: a resumed run decides as the uninterrupted one', async () => {
    const reference: TrainEval[] = [];
    const whole = await train(patience, { backend: 'cpu', onEval: (e) => void reference.push(e) });
    const dir = await mkdtemp(path.join(tmpdir(), 'curfew-decider-'));
    dirs.push(dir);
    const controller = new AbortController();
    const first: TrainEval[] = [];
    await train(patience, {
      backend: 'cpu',
      checkpointDir: dir,
      signal: controller.signal,
      onEval: (e) => {
        first.push(e);
        if (e.step >= 30) controller.abort();
      },
    });
    const second: TrainEval[] = [];
    const resumed = await train(patience, {
      backend: 'cpu',
      checkpointDir: dir,
      onEval: (e) => void second.push(e),
    });
    expect(evalDifferences([...first, ...second], reference)).toEqual([]);
    expect(resumed).toEqual(whole);
  });
});
