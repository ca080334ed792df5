import { createRedis, DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL } from '@curfew/queue';
import { openStore, type Store } from '@curfew/store';
import type { ResolvedEnv } from '../env';
import { CliError } from '../errors';
import { readCluster } from './cluster-file';
import { chooseDatabase, type DatabaseChoice, describeChoice } from './database-choice';

/**
 * Opens the database every command of this curfew home uses ({@link chooseDatabase}). The
 * embedded one is refused, in one line, while a running `curfew up` owns it.
 */
export async function openCliStore(env: ResolvedEnv, choice = chooseDatabase(env)): Promise<Store> {
  if (choice.kind === 'embedded') {
    refuseOwnedEmbedded(env);
    return openStore({ dataDir: choice.dataDir });
  }
  try {
    return await openStore({ databaseUrl: choice.url });
  } catch (error) {
    throw explainUnreachable(error, choice, env);
  }
}

/** The embedded database is one process's: a running `curfew up --embedded` owns it. */
export function refuseOwnedEmbedded(env: ResolvedEnv): void {
  const cluster = readCluster(env.CURFEW_HOME);
  if (cluster?.database !== 'embedded') return;
  throw new CliError(
    `curfew: the local cluster (curfew up, pid ${cluster.pid}) owns the embedded database; ` +
      'give curfew up a Postgres server (DATABASE_URL) to use other commands while it runs, or pass specs to curfew up --submit',
  );
}

/** A remembered server that does not answer: say where the choice came from and how to change it. */
function explainUnreachable(error: unknown, choice: DatabaseChoice, env: ResolvedEnv): unknown {
  if (!(error instanceof Error) || error.name !== 'StoreConnectionError' || choice.kind !== 'server')
    return error;
  if (choice.from === 'DATABASE_URL') return error;
  const reason = error.cause instanceof Error ? error.cause.message : error.message;
  return new CliError(
    `curfew: cannot connect to ${describeChoice(choice, env)}, the database this curfew home was set up with (${reason}): ` +
      'start that server (curfew up starts a local one), set DATABASE_URL, or delete the file to use the embedded database',
  );
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
