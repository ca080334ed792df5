import path from 'node:path';
import type { ResolvedEnv } from '../env';
import { homeConfigFile, readHomeConfig } from './home-config';

/**
 * The database a command uses, decided in this one place for every command: DATABASE_URL if set,
 * else the server this curfew home was set up with (`$CURFEW_HOME/config.json`, written by
 * `curfew up` and `curfew demo`), else the embedded PGlite database under `$CURFEW_HOME/db`.
 */
export type DatabaseChoice =
  | { kind: 'server'; url: string; from: 'DATABASE_URL' | 'home' }
  | { kind: 'embedded'; dataDir: string };

export function chooseDatabase(env: ResolvedEnv): DatabaseChoice {
  if (env.DATABASE_URL) return { kind: 'server', url: env.DATABASE_URL, from: 'DATABASE_URL' };
  const remembered = readHomeConfig(env.CURFEW_HOME);
  if (remembered) return { kind: 'server', url: remembered.database_url, from: 'home' };
  return { kind: 'embedded', dataDir: env.dataDir };
}

/** `host:port/database` of a URL, never its user or password. */
export function serverLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host || 'localhost'}${u.pathname || '/'}`;
  } catch {
    return '<unparseable database URL>';
  }
}

/** One line for people: which database, and why this one (no credentials). */
export function describeChoice(choice: DatabaseChoice, env: Pick<ResolvedEnv, 'CURFEW_HOME'>): string {
  if (choice.kind === 'embedded') return `embedded PGlite at ${choice.dataDir}`;
  const why =
    choice.from === 'DATABASE_URL'
      ? 'from DATABASE_URL'
      : `remembered in ${path.relative(process.cwd(), homeConfigFile(env.CURFEW_HOME)) || homeConfigFile(env.CURFEW_HOME)}`;
  return `Postgres at ${serverLocation(choice.url)} (${why})`;
}
