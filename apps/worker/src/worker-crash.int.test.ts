import { expandSearch } from '@curfew/spec';
import { resolveTrainRun, type TrainEval, train } from '@curfew/trainer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWorkerFixture,
  evalsOf,
  runOf,
  spawnWorker,
  specOf,
  submitRuns,
  type WorkerFixture,
  waitUntil,
} from './test/worker-fixture';

/** Long enough to kill mid-run on the wasm backend (30 evals of a tiny GRU). */
const spec = specOf({
  name: 'crash',
  task: { family: 'reverse', params: { length: 4, vocab: 8, train_examples: 2000, val_examples: 200 } },
  model: { family: 'gru', params: { units: 24, embedding: 8, batch_size: 32, lr: 0.01 } },
  budget: { max_tokens_per_run: 120_000 },
  eval: { every_tokens: 4_000 },
  policy: { name: 'none' },
});

let fixture: WorkerFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe.each([
  { signal: 'SIGKILL' as const, how: 'BullMQ re-delivers the stalled run' },
  { signal: 'SIGTERM' as const, how: 'the worker checkpoints and hands the run back' },
])('a worker stopped with $signal mid-run', ({ signal }) => {
  it('loses nothing: the run resumes from its checkpoint elsewhere, with the evals of an uninterrupted run', async () => {
    fixture = await createWorkerFixture();
    const f = fixture;
    const [runId] = (await submitRuns(f, 'crash-1', spec)) as [string];
    const first = spawnWorker(f);
    await waitUntil(
      'a few evals from the first worker',
      async () => (await evalsOf(f.db, runId)).length >= 4,
      240_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nfirst worker said:\n${first.output.join('')}`);
    });
    first.kill(signal);
    const exitCode = await new Promise((resolve) => first.once('exit', (code) => resolve(code)));
    const seenBeforeKill = (await evalsOf(f.db, runId)).length;
    if (signal === 'SIGTERM') {
      expect(exitCode).toBe(0);
      expect(first.output.join('')).toMatch(/run crash-1\/0: checkpointed at step \d+, back to the queue/);
      // Handed back, not stalled: waiting again at once, with no failed attempt.
      const job = await f.queue.getJob(runId);
      expect(await job?.getState()).toBe('waiting');
    }

    const second = spawnWorker(f);
    const run = await waitUntil(
      'the run to complete on the second worker',
      async () => {
        const row = await runOf(f.db, runId);
        return row && row.status === 'completed' ? row : undefined;
      },
      240_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nsecond worker said:\n${second.output.join('')}`);
    });

    // The same run trained in one go, on the same backend, with no checkpoints.
    const reference: TrainEval[] = [];
    const config = expandSearch(spec)[0];
    if (!config) throw new Error('spec has no run');
    const summary = await train(resolveTrainRun(spec, config, { runId }), {
      backend: 'wasm',
      onEval: (e) => void reference.push(e),
    });

    const stored = await evalsOf(f.db, runId);
    expect(seenBeforeKill).toBeGreaterThanOrEqual(4);
    expect(seenBeforeKill).toBeLessThan(reference.length);
    // No missing or duplicated eval, and every value equal to the uninterrupted run's.
    expect(stored.map((e) => e.step)).toEqual(reference.map((e) => e.step));
    expect(
      stored.map((e) => [e.tokens, e.valTokens, e.em, e.valLoss, e.trainLoss, e.lr, e.valExamples]),
    ).toEqual(
      reference.map((e) => [e.tokens, e.valTokens, e.em, e.valLoss, e.trainLoss, e.lr, e.valExamples]),
    );
    expect(run.attempts).toBe(2);
    expect(run.tokensUsed).toBe(summary.tokensUsed);
    expect(run.deployedEm).toBe(summary.deployedEm);
    expect(run.stopReason).toBe('budget');
    expect(run.backend).toBe('wasm');
  }, 600_000);
});
