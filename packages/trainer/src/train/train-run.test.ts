import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evalDifferences } from '../same-evals';
import { tinyRun } from '../test-support';
import { train } from './train-run';
import type { TrainEval } from './types';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'curfew-trainer-'));
  dirs.push(dir);
  return dir;
}

async function collect(run = tinyRun(), options: Parameters<typeof train>[1] = {}) {
  const evals: TrainEval[] = [];
  const summary = await train(run, { backend: 'cpu', ...options, onEval: (e) => void evals.push(e) });
  return { evals, summary };
}

describe('train', () => {
  it('evaluates every evalEveryTokens up to the budget, counting input + target tokens', async () => {
    const { evals, summary } = await collect();
    // reverse length 3: 3 input + 3 target tokens, batch 8 → 48 tokens per step, 10 steps per eval.
    expect(evals.map((e) => e.tokens)).toEqual(Array.from({ length: 10 }, (_, i) => 480 * (i + 1)));
    expect(evals.map((e) => e.step)).toEqual(Array.from({ length: 10 }, (_, i) => 10 * (i + 1)));
    expect(summary).toMatchObject({
      status: 'completed',
      stopReason: 'budget',
      tokensUsed: 4_800,
      steps: 100,
      backend: 'cpu',
    });
    expect(evals.at(-1)?.em).toBeGreaterThan(0.3);
    expect(evals[0]?.trainLoss).toBeGreaterThan(evals.at(-1)?.trainLoss ?? Number.POSITIVE_INFINITY);
  });

  it('obeys a stop decision and records the reason, best step and deployed EM', async () => {
    const run = tinyRun({
      budgetTokens: 48_000,
      policy: {
        name: 'patience',
        monitor: 'loss',
        mode: 'min',
        patience: 1,
        min_delta: 0.5,
        start_from_eval: 0,
        restore_best: true,
        tolerance: 0.005,
        lr_drop_before_stop: false,
      },
    });
    const { evals, summary } = await collect(run);
    expect(summary.status).toBe('stopped');
    expect(summary.stopReason).toBe('patience');
    expect(summary.tokensUsed).toBeLessThan(48_000);
    expect(evals.at(-1)?.decision).toBe('stop:patience');
    // Restore best: the deployed checkpoint is the lowest val loss, whatever min_delta says.
    const best = evals.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    expect(summary.bestStep).toBe(best.step);
    expect(summary.deployedEm).toBe(best.em);
  });

  it.each(['cpu', 'wasm'] as const)(
    'resumes from a checkpoint with exactly the evals of the uninterrupted run on %s',
    async (backend) => {
      const reference = await collect(tinyRun(), { backend });
      const dir = await tempDir();
      const controller = new AbortController();
      const first = await collect(tinyRun(), {
        backend,
        checkpointDir: dir,
        signal: controller.signal,
        onCheckpoint: (info) => {
          if (info.kind === 'latest' && info.step >= 30) controller.abort();
        },
      });
      // Aborting between evals checkpoints mid-interval; the resumed run carries on from there.
      expect(first.summary.status).toBe('interrupted');
      const second = await collect(tinyRun(), { backend, checkpointDir: dir });
      expect(evalDifferences([...first.evals, ...second.evals], reference.evals)).toEqual([]);
      expect(second.summary).toEqual(reference.summary);
      const files = await readdir(dir);
      expect(files.sort()).toEqual(expect.arrayContaining(['best.json', 'latest.json']));
      expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(2);
      const best = JSON.parse(await readFile(path.join(dir, 'best.json'), 'utf8'));
      expect(best.meta.best.step).toBe(reference.summary.bestStep);
    },
  );

  it('returns the finished summary without training again when the run had ended', async () => {
    const dir = await tempDir();
    const done = await collect(tinyRun(), { checkpointDir: dir });
    const again = await collect(tinyRun(), { checkpointDir: dir });
    expect(again.evals).toEqual([]);
    expect(again.summary).toEqual(done.summary);
  });

  it('refuses to resume a checkpoint written under another configuration', async () => {
    const dir = await tempDir();
    await collect(tinyRun(), { checkpointDir: dir });
    const changed = tinyRun({ budgetTokens: 9_600 });
    await expect(collect(changed, { checkpointDir: dir })).rejects.toThrow(
      `${dir}/latest.json: run tiny/0 was checkpointed with another configuration; delete ${dir} to train it afresh`,
    );
  });

  it('ends exactly on the budget, cutting the last batch short', async () => {
    // 48 tokens per full batch; 4 000 is not a multiple of it.
    const { evals, summary } = await collect(tinyRun({ budgetTokens: 4_000 }));
    expect(summary.tokensUsed).toBe(3_996);
    expect(evals.at(-1)).toMatchObject({ tokens: 3_996, decision: 'stop:budget' });
  });

  it('scores a growing validation sample only where an eval clearly cannot beat the best', async () => {
    const run = tinyRun({
      task: {
        family: 'reverse',
        params: { length: 3, vocab: 5, train_examples: 60, val_examples: 64, seed: 1 },
      },
    });
    const sampled = await collect({ ...run, budgetTokens: 9_600 });
    const full = await collect({ ...run, budgetTokens: 9_600, incrementalValidation: false });
    expect(full.evals.every((e) => e.full && e.valExamples === 64)).toBe(true);
    expect(sampled.evals[0]?.full).toBe(true);
    // The stream of training is the same: only how much of the validation set is scored differs.
    expect(sampled.evals.map((e) => e.trainLoss)).toEqual(full.evals.map((e) => e.trainLoss));
    expect(sampled.summary.valTokens).toBeLessThanOrEqual(full.summary.valTokens);
    expect(sampled.summary.deployedEm).toBe(full.summary.deployedEm);
  });
});
