import { createRedis, redactRedisUrl } from '@curfew/queue';
import {
  predictRuns,
  readSchedulerConfig,
  refitMeta,
  type SchedulerHandle,
  startReportApiServer,
  startScheduler,
} from '@curfew/scheduler';
import type { ExperimentSpec } from '@curfew/spec';
import { openStore, type Store } from '@curfew/store';
import type { ResolvedEnv } from '../env';
import { CliError } from '../errors';
import { selfArgs } from '../install-paths';
import { clusterDatabase } from './cluster-database';
import { type ClusterInfo, removeCluster, writeCluster } from './cluster-file';
import { queueSettings } from './connect';
import { chooseDatabase, describeChoice } from './database-choice';
import { ensureLocalRedis } from './local-services';
import { submitSpec } from './submit-spec';
import { superviseWorkers } from './worker-supervisor';

export interface ClusterOptions {
  env: ResolvedEnv;
  workers: number;
  log: (line: string) => void;
  /** Use the embedded database even when a PostgreSQL server is at hand. */
  embedded?: boolean;
  /** The command starting it, for messages and the home's config. @defaultValue `up` */
  command?: string;
}

export interface Cluster {
  readonly info: ClusterInfo;
  readonly store: Store;
  submit(spec: ExperimentSpec): Promise<{ id: string; runs: number }>;
  /** Checkpoints the runs in progress and stops everything, within a few seconds. */
  close(): Promise<void>;
  /** Kills the worker processes now (a second Ctrl-C); close() still has to be awaited. */
  kill(): void;
}

/** Waits for `promise`, but no longer than `ms`: shutdown must not hang on a server that went away. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * A local cluster: Redis (started if needed), a database (clusterDatabase: remembered for the
 * curfew home), the scheduler, and N workers (supervised processes, or in this process with the
 * embedded database, which only one process may open).
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { env, workers, log } = options;
  const command = options.command ?? 'up';
  const { redisUrl, queuePrefix } = queueSettings(env);
  const redis = await ensureLocalRedis(redisUrl);
  if (!redis.ok)
    throw new CliError(`curfew ${command}: Redis is needed for the queues: ${redis.why}; or set REDIS_URL`);
  const databaseUrl = await clusterDatabase(env, { embedded: options.embedded === true, command, log });
  const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: env.dataDir });
  const connection = createRedis(redisUrl, { blocking: true });
  const { budgetOfSpec } = await import('@curfew/trainer');
  const scheduler: SchedulerHandle = startScheduler({
    db: store.db,
    connection,
    queuePrefix,
    budgetOf: budgetOfSpec,
    predict: predictRuns,
    refit: (db, fitId) => refitMeta(db, log, fitId),
    log,
  });
  // The report API for trainers outside the cluster, when CURFEW_API_TOKEN is set.
  const apiConfig = readSchedulerConfig(env.source).api;
  const api = apiConfig
    ? await startReportApiServer({ ...apiConfig, service: scheduler.service, db: store.db, log })
    : null;
  const info: ClusterInfo = {
    pid: process.pid,
    database: databaseUrl ? 'server' : 'embedded',
    redisUrl,
    queuePrefix,
    workers,
    workerPids: [],
    startedAt: new Date().toISOString(),
  };
  writeCluster(env.CURFEW_HOME, info);
  const stopWorkers = await startWorkers({ ...options, databaseUrl, redisUrl, queuePrefix, store, info });
  const where = describeChoice(chooseDatabase(env), env);
  log(
    `curfew ${command}: ${workers} worker${workers === 1 ? '' : 's'}, queues on ${redactRedisUrl(redisUrl)}, database ${where}`,
  );
  return {
    info,
    store,
    submit: (spec) => submitSpec(store.db, spec, { redis: connection, prefix: queuePrefix }),
    kill: () => stopWorkers.kill(),
    async close() {
      await within(api?.close() ?? Promise.resolve(), 2_000);
      await within(scheduler.close(), 5_000);
      await stopWorkers.stop();
      removeCluster(env.CURFEW_HOME);
      await within(connection.quit(), 2_000);
      connection.disconnect();
      await within(store.close(), 5_000);
    },
  };
}

interface WorkerSetup extends ClusterOptions {
  databaseUrl: string | null;
  redisUrl: string;
  queuePrefix: string;
  store: Store;
  info: ClusterInfo;
}

/** Starts the workers; returns what stops them (each checkpoints its runs and hands them back). */
async function startWorkers(setup: WorkerSetup): Promise<{ stop(): Promise<void>; kill(): void }> {
  const { env, workers, log, databaseUrl, redisUrl, queuePrefix, info } = setup;
  if (workers === 0) return { stop: async () => undefined, kill: () => undefined };
  if (databaseUrl === null) {
    const { readWorkerConfig, startWorker } = await import('@curfew/worker');
    const config = {
      ...readWorkerConfig({ ...env.source, REDIS_URL: redisUrl, CURFEW_QUEUE_PREFIX: queuePrefix }),
      concurrency: workers,
    };
    const handle = await startWorker(config, { log, store: setup.store });
    return { stop: () => handle.close(), kill: () => undefined };
  }
  return superviseWorkers({
    count: workers,
    args: selfArgs(['worker']),
    env: {
      ...env.source,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      CURFEW_QUEUE_PREFIX: queuePrefix,
      CURFEW_HOME: env.CURFEW_HOME,
    },
    log,
    onChange(pids) {
      writeCluster(env.CURFEW_HOME, { ...info, workerPids: pids });
    },
  });
}
