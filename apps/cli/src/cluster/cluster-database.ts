import type { ResolvedEnv } from '../env';
import { CliError } from '../errors';
import { describeChoice } from './database-choice';
import { readHomeConfig, removeHomeConfig, writeHomeConfig } from './home-config';
import { ensureLocalDatabase, localDatabaseName } from './local-services';

export interface ClusterDatabaseOptions {
  /** `curfew up --embedded`: the embedded database even when a server is at hand. */
  embedded: boolean;
  /** `curfew up` or `curfew demo`, for messages and the home's config. */
  command: string;
  log: (line: string) => void;
}

/**
 * The database a local cluster runs on, remembered in the curfew home so every later command of
 * the home reads it too: DATABASE_URL; else the server the home remembers (a stopped local one is
 * started); else a database on the local PostgreSQL server (started, or installed as root); else,
 * or with --embedded, the embedded database (null), and the home forgets any server.
 */
export async function clusterDatabase(
  env: ResolvedEnv,
  options: ClusterDatabaseOptions,
): Promise<string | null> {
  const remember = (url: string) =>
    writeHomeConfig(env.CURFEW_HOME, {
      database_url: url,
      chosen_by: `curfew ${options.command}`,
      chosen_at: new Date().toISOString(),
    });
  if (env.DATABASE_URL) {
    remember(env.DATABASE_URL);
    return env.DATABASE_URL;
  }
  if (options.embedded) {
    removeHomeConfig(env.CURFEW_HOME);
    return null;
  }
  const remembered = readHomeConfig(env.CURFEW_HOME)?.database_url;
  if (remembered) {
    const local = localDatabaseName(remembered);
    const ready = local ? await ensureLocalDatabase(local) : { ok: true };
    if (!ready.ok) {
      const where = describeChoice({ kind: 'server', url: remembered, from: 'home' }, env);
      throw new CliError(
        `curfew ${options.command}: cannot start ${where}: ${'why' in ready ? ready.why : ''}; ` +
          'start it, set DATABASE_URL, or pass --embedded',
      );
    }
    return remembered;
  }
  const local = await ensureLocalDatabase(env.CURFEW_LOCAL_DATABASE);
  if (local.ok) {
    remember(local.url);
    return local.url;
  }
  options.log(
    `curfew ${options.command}: no PostgreSQL (${local.why}); using the embedded database, workers in this process`,
  );
  return null;
}
