import { createRedis, DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL } from '@curfew/queue';
import { openStore, type Store } from '@curfew/store';
import type { ResolvedEnv } from '../env';
import { CliError } from '../errors';
import { readCluster } from './cluster-file';

/**
 * The database a command talks to: DATABASE_URL, else the running local cluster's, else the
 * embedded one under CURFEW_HOME (which a running `curfew up` owns: then say how to reach it).
 */
export async function openCliStore(env: ResolvedEnv): Promise<Store> {
  if (env.DATABASE_URL) return openStore({ databaseUrl: env.DATABASE_URL });
  const cluster = readCluster(env.CURFEW_HOME);
  if (cluster?.databaseUrl) return openStore({ databaseUrl: cluster.databaseUrl });
  if (cluster) {
    throw new CliError(
      `curfew: the local cluster (curfew up, pid ${cluster.pid}) owns the embedded database; ` +
        'give curfew up a Postgres server (DATABASE_URL) to use other commands while it runs, or pass specs to curfew up --submit',
    );
  }
  return openStore({ dataDir: env.dataDir });
}

/** Redis URL and queue prefix: the environment's, else the running cluster's, else the defaults. */
export function queueSettings(env: ResolvedEnv): { redisUrl: string; queuePrefix: string } {
  const cluster = readCluster(env.CURFEW_HOME);
  return {
    redisUrl: env.REDIS_URL ?? cluster?.redisUrl ?? DEFAULT_REDIS_URL,
    queuePrefix: env.CURFEW_QUEUE_PREFIX ?? cluster?.queuePrefix ?? DEFAULT_QUEUE_PREFIX,
  };
}

/** A Redis client for a short-lived command: fails fast instead of retrying forever. */
export function commandRedis(url: string) {
  return createRedis(url, { blocking: false });
}
