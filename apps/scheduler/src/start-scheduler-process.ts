import { createRedis, redactRedisUrl } from '@curfew/queue';
import { describeStore, openStore } from '@curfew/store';
import type { SchedulerConfig } from './env';
import { predictRuns, refitMeta } from './meta-hooks';
import { startReportApiServer } from './report-api-server';
import { type SchedulerHandle, startScheduler } from './scheduler';

/** A scheduler with its own store and Redis connection, as `bin/scheduler.mjs` runs it. */
export async function startSchedulerProcess(
  config: SchedulerConfig,
  log: (line: string) => void,
): Promise<{ close(): Promise<void> }> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let redisDown = false;
  const connection = createRedis(config.redisUrl, {
    blocking: true,
    onError: (error) => {
      if (!redisDown)
        log(
          `curfew scheduler: Redis at ${redactRedisUrl(config.redisUrl)} is unreachable (${error.message}); retrying`,
        );
      redisDown = true;
    },
  });
  connection.on('ready', () => {
    if (redisDown) log(`curfew scheduler: Redis at ${redactRedisUrl(config.redisUrl)} is back`);
    redisDown = false;
  });
  // Loaded here: the trainer's task defaults give a run its budget when the spec has none.
  const { budgetOfSpec } = await import('@curfew/trainer');
  const scheduler: SchedulerHandle = startScheduler({
    db: store.db,
    connection,
    queuePrefix: config.queuePrefix,
    budgetOf: budgetOfSpec,
    predict: predictRuns,
    refit: (db, fitId) => refitMeta(db, log, fitId),
    pollMs: config.pollMs,
    refitIntervalMs: config.refitIntervalMs,
    maxAttempts: config.maxAttempts,
    log,
  });
  log(`curfew scheduler: queues on ${redactRedisUrl(config.redisUrl)}, database ${describeStore(store)}`);
  const api = config.api
    ? await startReportApiServer({ ...config.api, service: scheduler.service, db: store.db, log })
    : null;
  if (!api) log('curfew scheduler: report API off (set CURFEW_API_TOKEN to serve it)');
  return {
    async close() {
      await api?.close();
      await scheduler.close();
      await connection.quit().catch(() => connection.disconnect());
      await store.close();
    },
  };
}
