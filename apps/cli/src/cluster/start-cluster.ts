import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRedis, redactRedisUrl } from '@curfew/queue';
import { predictRuns, refitMeta, type SchedulerHandle, startScheduler } from '@curfew/scheduler';
import type { ExperimentSpec } from '@curfew/spec';
import { describeStore, openStore, type Store } from '@curfew/store';
import type { ResolvedEnv } from '../env';
import { CliError } from '../errors';
import { type ClusterInfo, removeCluster, writeCluster } from './cluster-file';
import { queueSettings } from './connect';
import { ensureLocalDatabase, ensureLocalRedis } from './local-services';

import { submitSpec } from './submit-spec';

const WORKER_BIN = fileURLToPath(new URL('../../../worker/bin/worker.mjs', import.meta.url));
/** The local cluster's database on the local PostgreSQL server. */
const CLUSTER_DATABASE = 'curfew';

export interface ClusterOptions {
  env: ResolvedEnv;
  workers: number;
  log: (line: string) => void;
  /** Use the embedded database even when a PostgreSQL server is at hand. */
  embedded?: boolean;
}

export interface Cluster {
  readonly info: ClusterInfo;
  readonly store: Store;
  submit(spec: ExperimentSpec): Promise<{ id: string; runs: number }>;
  close(): Promise<void>;
}

async function databaseUrlFor(
  env: ResolvedEnv,
  log: (line: string) => void,
  embedded: boolean,
): Promise<string | null> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (embedded) return null;
  const local = await ensureLocalDatabase(CLUSTER_DATABASE);
  if (local.ok) return local.url;
  log(`curfew up: no PostgreSQL (${local.why}); using the embedded database, workers in this process`);
  return null;
}

/**
 * A local cluster: Redis (started if needed), a database (DATABASE_URL, else the local
 * PostgreSQL server, else embedded PGlite), the scheduler, and N workers (processes, or in this
 * process with the embedded database, which only one process may open).
 */
export async function startCluster({
  env,
  workers,
  log,
  embedded = false,
}: ClusterOptions): Promise<Cluster> {
  const { redisUrl, queuePrefix } = queueSettings(env);
  const redis = await ensureLocalRedis(redisUrl);
  if (!redis.ok)
    throw new CliError(`curfew up: Redis is needed for the queues: ${redis.why}; or set REDIS_URL`);
  const databaseUrl = await databaseUrlFor(env, log, embedded);
  const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: env.dataDir });
  const connection = createRedis(redisUrl, { blocking: true });
  const { taskDefaults } = await import('@curfew/trainer');
  const scheduler: SchedulerHandle = startScheduler({
    db: store.db,
    connection,
    queuePrefix,
    budgetOf: (spec) => spec.budget?.max_tokens_per_run ?? taskDefaults(spec.task).budgetTokens,
    predict: predictRuns,
    refit: (db) => refitMeta(db, log),
    log,
  });
  const stopWorkers = await startWorkers({ env, workers, log, databaseUrl, redisUrl, queuePrefix, store });
  const info: ClusterInfo = {
    pid: process.pid,
    databaseUrl,
    redisUrl,
    queuePrefix,
    workers,
    startedAt: new Date().toISOString(),
  };
  writeCluster(env.CURFEW_HOME, info);
  log(
    `curfew up: ${workers} worker${workers === 1 ? '' : 's'}, queues on ${redactRedisUrl(redisUrl)}, database ${describeStore(store)}`,
  );
  return {
    info,
    store,
    submit: (spec) => submitSpec(store.db, spec, { redis: connection, prefix: queuePrefix }),
    async close() {
      await scheduler.close();
      await stopWorkers();
      removeCluster(env.CURFEW_HOME);
      await connection.quit().catch(() => connection.disconnect());
      await store.close();
    },
  };
}

interface WorkerSetup extends ClusterOptions {
  databaseUrl: string | null;
  redisUrl: string;
  queuePrefix: string;
  store: Store;
}

/** Starts the workers; returns what stops them (each checkpoints its runs and hands them back). */
async function startWorkers(setup: WorkerSetup): Promise<() => Promise<void>> {
  const { env, workers, log, databaseUrl, redisUrl, queuePrefix } = setup;
  if (workers === 0) return async () => undefined;
  if (databaseUrl === null) {
    const { readWorkerConfig, startWorker } = await import('@curfew/worker');
    const config = {
      ...readWorkerConfig({ ...env.source, REDIS_URL: redisUrl, CURFEW_QUEUE_PREFIX: queuePrefix }),
      concurrency: workers,
    };
    const handle = await startWorker(config, { log, store: setup.store });
    return () => handle.close();
  }
  const children: ChildProcess[] = [];
  for (let i = 1; i <= workers; i++) {
    const child = spawn(process.execPath, [WORKER_BIN], {
      env: {
        ...env.source,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        CURFEW_QUEUE_PREFIX: queuePrefix,
        CURFEW_HOME: env.CURFEW_HOME,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `[worker ${i}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) log(prefix + line);
      });
    }
    children.push(child);
  }
  return async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
}
