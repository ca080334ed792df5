import { hostname } from 'node:os';
import { DecisionService } from '@curfew/decisions';
import { createRedis, JOB_CATALOG, redactRedisUrl } from '@curfew/queue';
import { appendRunLog, describeStore, evalsOfRun, openStore, type Store } from '@curfew/store';
import { selectBackend } from '@curfew/trainer';
import { Worker } from 'bullmq';
import type { WorkerConfig } from './env';
import { createTrainRunProcessor, type Trainer } from './train-run.processor';

export interface WorkerHandle {
  /** Checkpoints running runs, releases them to the queue and closes every connection. */
  close(): Promise<void>;
  readonly worker: Worker;
  /** The decision service instance deciding this worker's runs. */
  readonly service: DecisionService;
}

export interface StartWorkerOptions {
  log?: (line: string) => void;
  /** An already open store (the local cluster shares its embedded database). */
  store?: Store;
  /** What trains the runs. @defaultValue the TF.js trainer (`train` from @curfew/trainer) */
  trainer?: Trainer;
}

/** Starts a BullMQ worker on the runs queue. */
export async function startWorker(
  config: WorkerConfig,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  const backend = await selectBackend(config.backend);
  const store =
    options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const shutdown = new AbortController();
  let redisDown = false;
  const connection = createRedis(config.redisUrl, {
    blocking: true,
    onError: (error) => {
      if (redisDown) return;
      redisDown = true;
      log(
        `curfew worker: Redis at ${redactRedisUrl(config.redisUrl)} is unreachable (${error.message}); retrying`,
      );
    },
  });
  connection.on('ready', () => {
    if (redisDown) log(`curfew worker: Redis at ${redactRedisUrl(config.redisUrl)} is back`);
    redisDown = false;
  });
  // One decision service instance per worker process, for its own runs.
  const service = new DecisionService({
    db: store.db,
    maxAttempts: config.maxAttempts,
    retryForMs: config.dbRetryMs,
    log,
  });
  const worker = new Worker(
    JOB_CATALOG['train-run'].queue,
    createTrainRunProcessor({
      service,
      workerId: `${hostname()}:${process.pid}`,
      artifactsDir: config.artifactsDir,
      backend: backend.name,
      shutdown: shutdown.signal,
      log,
      trainer: options.trainer,
      accelerator: config.accelerator,
      programEnv: config.programEnv,
      appendLog: (entry) => appendRunLog(store.db, entry),
      runEvals: (runId) => evalsOfRun(store.db, runId),
    }),
    {
      connection,
      prefix: config.queuePrefix,
      concurrency: config.concurrency,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
    },
  );
  worker.on('error', (error) => {
    if (!redisDown) log(`curfew worker: ${error.message}`);
  });
  worker.on('failed', (job, error) =>
    log(`run ${job?.data?.runId ?? job?.id}: attempt failed: ${error.message}`),
  );
  const skipped = Object.entries(backend.skipped).map(([name, why]) => `${name}: ${why}`);
  log(
    `curfew worker: queue ${config.queuePrefix}:${JOB_CATALOG['train-run'].queue} on ${redactRedisUrl(config.redisUrl)}, ` +
      `store ${describeStore(store)}, backend ${backend.name}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}, ` +
      `concurrency ${config.concurrency}`,
  );
  return {
    worker,
    service,
    async close() {
      shutdown.abort();
      await untilReady(worker);
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
      if (!options.store) await store.close();
    },
  };
}

/**
 * Waits for the worker's Redis connections to finish connecting (at most `timeoutMs`, when Redis
 * is unreachable) before it may be closed. BullMQ crashes the process when a Worker is closed
 * while its blocking connection is still being set up: RedisConnection.close() removes the
 * connection's error listeners, then the pending initialisation rejects with "Connection is
 * closed." and is emitted as an 'error' nobody listens to. A SIGTERM right after start-up hit that
 * window (wider on a loaded machine) and made `curfew worker` exit 1.
 */
async function untilReady(worker: Worker, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    worker.waitUntilReady().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
