import pg from 'pg';
import { repoPath } from '../install-paths';

interface ServiceResult {
  ok: boolean;
  url: string;
  why?: string;
}

interface ServicesModule {
  ensureRedis(url?: string): Promise<ServiceResult>;
  ensurePostgres(url?: string): Promise<ServiceResult>;
}

/** The repo's service starter (scripts/services.mjs), shared with `npm test`. */
const SERVICES = repoPath('scripts', 'services.mjs');

async function services(): Promise<ServicesModule> {
  return (await import(SERVICES)) as ServicesModule;
}

/** Redis at `url`, started (and installed, as root) when it is local and not running. */
export async function ensureLocalRedis(url: string): Promise<ServiceResult> {
  return (await services()).ensureRedis(url);
}

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of a database on the local PostgreSQL server. */
function localDatabaseUrl(database: string): string {
  const url = new URL(LOCAL_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The database's name when `url` is one on the local server (what ensureLocalDatabase gives), else null. */
export function localDatabaseName(url: string): string | null {
  try {
    const name = new URL(url).pathname.slice(1);
    return name && localDatabaseUrl(name) === url ? name : null;
  } catch {
    return null;
  }
}

/**
 * A database named `database` on the local PostgreSQL server (started, or installed as root,
 * when it is not running); its URL, or why there is none.
 */
export async function ensureLocalDatabase(database: string): Promise<ServiceResult> {
  const server = await (await services()).ensurePostgres(LOCAL_POSTGRES_URL);
  if (!server.ok) return server;
  const client = new pg.Client({ connectionString: LOCAL_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    // The name is checked ([a-z0-9_]) by env.ts; quoted all the same.
    if (found.rowCount === 0) await client.query(`create database "${database.replaceAll('"', '')}"`);
  } catch (error) {
    return { ok: false, url: LOCAL_POSTGRES_URL, why: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
  return { ok: true, url: localDatabaseUrl(database) };
}
