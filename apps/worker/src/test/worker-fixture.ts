import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createQueue, createRedis, DEFAULT_REDIS_URL, enqueueJob, QUEUE_NAMES } from '@curfew/queue';
import { type ExperimentSpec, expandSearch, parseSpec } from '@curfew/spec';
import { evals, insertExperimentRuns, runs, type StoreDatabase } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import type { Queue } from 'bullmq';
import { asc, eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;
const WORKER_BIN = fileURLToPath(new URL('../../bin/worker.mjs', import.meta.url));

/** Polls `predicate` until it holds; fails after `timeoutMs` saying what was awaited. */
export async function waitUntil<T>(
  what: string,
  predicate: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function specOf(input: Record<string, unknown>): ExperimentSpec {
  const result = parseSpec(JSON.stringify(input), { filename: 'spec.json' });
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.spec;
}

/** A fresh database, queue prefix and artifact folder per test; `cleanup` removes them all. */
export interface WorkerFixture {
  database: TestDatabase;
  db: StoreDatabase;
  prefix: string;
  artifactsDir: string;
  redis: Redis;
  queue: Queue;
  children: ChildProcess[];
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function createWorkerFixture(): Promise<WorkerFixture> {
  const database = await postgresBackend.create();
  const prefix = `{test-${randomUUID()}}`;
  const artifactsDir = await mkdtemp(path.join(tmpdir(), 'curfew-artifacts-'));
  const redis = createRedis(REDIS_URL, { blocking: true });
  const queue = createQueue(QUEUE_NAMES.runs, redis, prefix);
  const children: ChildProcess[] = [];
  const env = {
    ...process.env,
    DATABASE_URL: database.databaseUrl,
    REDIS_URL,
    CURFEW_QUEUE_PREFIX: prefix,
    CURFEW_ARTIFACTS: artifactsDir,
    CURFEW_BACKEND: 'wasm',
    CURFEW_LOCK_DURATION_MS: '2000',
    CURFEW_STALLED_INTERVAL_MS: '1000',
  };
  return {
    database,
    db: database.store.db,
    prefix,
    artifactsDir,
    redis,
    queue,
    children,
    env,
    async cleanup() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await redis.quit();
      await database.cleanup();
      await rm(artifactsDir, { recursive: true, force: true });
    },
  };
}

/** Starts `bin/worker.mjs` as a real child process; its output is kept for failure messages. */
export function spawnWorker(fixture: WorkerFixture): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, [WORKER_BIN], {
    env: fixture.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  fixture.children.push(child);
  return Object.assign(child, { output });
}

/** Stores an experiment and its runs, then enqueues each run as a `train-run` job. */
export async function submitRuns(
  fixture: WorkerFixture,
  experimentId: string,
  spec: ExperimentSpec,
): Promise<string[]> {
  const configs = expandSearch(spec);
  const runIds = configs.map((c) => `${experimentId}/${c.trial}`);
  await insertExperimentRuns(
    fixture.db,
    {
      id: experimentId,
      name: spec.name,
      spec: spec as unknown as Record<string, unknown>,
      taskFamily: spec.task.family,
      policy: spec.policy.name,
    },
    configs.map((c, i) => ({
      id: runIds[i] as string,
      experimentId,
      trial: c.trial,
      config: c.params,
      budgetTokens: spec.budget?.max_tokens_per_run ?? null,
    })),
  );
  for (const [i, config] of configs.entries()) {
    const runId = runIds[i] as string;
    await enqueueJob(
      fixture.queue,
      'train-run',
      { runId, experimentId, trial: config.trial, spec, params: config.params },
      { jobId: runId },
    );
  }
  return runIds;
}

export async function evalsOf(db: StoreDatabase, runId: string) {
  return db.select().from(evals).where(eq(evals.runId, runId)).orderBy(asc(evals.step));
}

export async function runOf(db: StoreDatabase, runId: string) {
  const [row] = await db.select().from(runs).where(eq(runs.id, runId));
  return row;
}

/** The run once it has `status`; a run that failed instead ends the wait with its error. */
export function runWithStatus(db: StoreDatabase, runId: string, status: string, timeoutMs: number) {
  return waitUntil(
    `run ${runId} to be ${status}`,
    async () => {
      const row = await runOf(db, runId);
      if (row?.status === 'failed' && status !== 'failed')
        throw new Error(`run ${runId} failed: ${row.error}`);
      return row?.status === status ? row : undefined;
    },
    timeoutMs,
  );
}
