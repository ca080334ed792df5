import { randomUUID } from 'node:crypto';
import { createQueue, createRedis, DEFAULT_REDIS_URL, enqueueJob, QUEUE_NAMES } from '@curfew/queue';
import { expandSearch, parseSpec } from '@curfew/spec';
import { insertExperimentRuns } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitForStdout } from '../test/run-cli';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.cleanup();
  database = undefined;
});

describe('curfew worker', () => {
  it('says where it connected and which backend it uses, and stops cleanly on SIGTERM', async () => {
    database = await postgresBackend.create();
    const worker = startCli(['worker', '--concurrency', '2'], {
      env: {
        DATABASE_URL: database.databaseUrl,
        CURFEW_BACKEND: 'cpu',
        CURFEW_QUEUE_PREFIX: '{test-worker-cli}',
      },
    });
    await waitForStdout(worker, (out) => out.includes('concurrency 2'), 30_000);
    expect(worker.stdout()).toMatch(
      /queue \{test-worker-cli\}:runs on redis:\/\/127\.0\.0\.1:6379\/?, store Postgres at .*, backend cpu/,
    );
    worker.child.kill('SIGTERM');
    const result = await worker.done;
    expect(result.code).toBe(0);
  }, 60_000);

  it('with Redis unreachable says so in one line and keeps retrying', async () => {
    database = await postgresBackend.create();
    const worker = startCli(['worker'], {
      env: { DATABASE_URL: database.databaseUrl, CURFEW_BACKEND: 'cpu', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    await waitForStdout(worker, (out) => out.includes('unreachable'), 30_000);
    // Still alive a moment later, and still one line about it: it retries quietly.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(worker.child.exitCode).toBeNull();
    const lines = worker
      .stdout()
      .split('\n')
      .filter((l) => l.includes('unreachable'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^curfew worker: Redis at redis:\/\/127\.0\.0\.1:1\/? is unreachable \(.*\); retrying$/,
      ),
    ]);
    worker.child.kill('SIGTERM');
    expect((await worker.done).code).toBe(0);
  }, 60_000);

  it('trains a queued run; a run stopped by its policy shows in `curfew sql` with its reason, tokens, best step and EM', async () => {
    database = await postgresBackend.create();
    const prefix = `{test-${randomUUID()}}`;
    const spec = parseSpec(
      JSON.stringify({
        name: 'sql-e2e',
        task: { family: 'reverse', params: { length: 3, vocab: 5, train_examples: 80, val_examples: 40 } },
        model: { family: 'mlp', params: { hidden: 16, layers: 1, lr: 0.02, batch_size: 8 } },
        budget: { max_tokens_per_run: 48_000 },
        eval: { every_tokens: 480 },
        policy: { name: 'patience', monitor: 'loss', patience: 1, min_delta: 0.5 },
      }),
      { filename: 'spec.json' },
    );
    if (!spec.ok) throw new Error('test spec is invalid');
    const [config] = expandSearch(spec.spec);
    await insertExperimentRuns(
      database.store.db,
      {
        id: 'sql-e2e-1',
        name: 'sql-e2e',
        spec: spec.spec as unknown as Record<string, unknown>,
        taskFamily: 'reverse',
        policy: 'patience',
      },
      [{ id: 'sql-e2e-1/0', experimentId: 'sql-e2e-1', trial: 0, budgetTokens: 48_000 }],
    );
    const redis = createRedis(DEFAULT_REDIS_URL, { blocking: false });
    const queue = createQueue(QUEUE_NAMES.runs, redis, prefix);
    const env = { DATABASE_URL: database.databaseUrl, CURFEW_BACKEND: 'cpu', CURFEW_QUEUE_PREFIX: prefix };
    const worker = startCli(['worker'], { env });
    try {
      await enqueueJob(queue, 'train-run', {
        runId: 'sql-e2e-1/0',
        experimentId: 'sql-e2e-1',
        trial: 0,
        spec: spec.spec,
        params: config?.params ?? {},
      });
      await waitForStdout(worker, (out) => out.includes('run sql-e2e-1/0: stopped'), 180_000);
      const result = await runCli(
        [
          'sql',
          'select run_id, status, stop_reason, tokens_used, budget_tokens, best_step, deployed_em, evals from run_summary',
          '--format',
          'json',
        ],
        { env },
      );
      expect(result.code).toBe(0);
      const [row] = JSON.parse(result.stdout);
      expect(row).toMatchObject({
        run_id: 'sql-e2e-1/0',
        status: 'stopped',
        stop_reason: 'patience',
        budget_tokens: 48_000,
      });
      expect(row.tokens_used).toBeGreaterThan(0);
      expect(row.tokens_used).toBeLessThan(48_000);
      expect(row.best_step).toBeGreaterThan(0);
      expect(row.deployed_em).toBeGreaterThanOrEqual(0);
      expect(Number(row.evals)).toBeGreaterThan(1);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.done;
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
    }
  }, 300_000);

  it('rejects a bad concurrency in one line', async () => {
    const result = await runCli(['worker', '--concurrency', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('curfew worker: --concurrency must be a positive integer, got "0"');
  });
});
