import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { StoreDatabase } from './database.js';
import { messageOf, StoreConnectionError } from './errors.js';
import { migrate } from './migrate.js';
import { lockDataDir } from './pglite-lock.js';
import { type QueryRows, readOnlyQueryPglite, readOnlyQueryPostgres } from './read-only-query.js';
import { refreshReaderGrants } from './reader-role.js';
import * as schema from './schema/index.js';

export interface OpenStoreOptions {
  /**
   * A `postgres://` URL (the app passes `DATABASE_URL`). Absent: an embedded PGlite database.
   */
  databaseUrl?: string;
  /**
   * Folder of the embedded PGlite database, created if missing; ignored with `databaseUrl`.
   * @defaultValue `.curfew/db`, relative to the working directory
   */
  dataDir?: string;
  /**
   * Apply pending migrations on open.
   * @defaultValue true
   */
  migrate?: boolean;
  /** Override of the migrations folder (see `migrate`). */
  migrationsFolder?: string;
  /**
   * How long to wait for a Postgres connection, in milliseconds.
   * @defaultValue 5000
   */
  connectTimeoutMs?: number;
  /**
   * Most pooled Postgres connections.
   * @defaultValue 10
   */
  maxConnections?: number;
  /**
   * How long the server lets a connection sit idle inside a transaction before it ends the
   * session, in milliseconds. A process frozen (SIGSTOP, a stalled VM) mid-transaction would
   * otherwise hold its experiment's row lock, and every other worker of the experiment would
   * wait on it for as long as it stays frozen.
   * @defaultValue 30000
   */
  idleInTransactionTimeoutMs?: number;
}

export interface Store {
  readonly kind: 'postgres' | 'pglite';
  /** Where the data lives: `host:port/database` (no credentials) or the PGlite folder. */
  readonly location: string;
  readonly db: StoreDatabase;
  /**
   * Runs one SQL statement that cannot write: a ReadOnlyQueryError if it tries, a QueryError
   * for other SQL errors. bigint → number, numeric → string, timestamptz → ISO string.
   */
  readOnlyQuery(sql: string): Promise<QueryRows>;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.curfew/db';

/** One client factory: node-postgres for `databaseUrl`, otherwise embedded PGlite. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options)
    : await openPglite(options.dataDir ?? DEFAULT_DATA_DIR);
  if (options.migrate ?? true) {
    try {
      const { applied } = await migrate(store.db, { migrationsFolder: options.migrationsFolder });
      // New tables are readable by `curfew sql`'s read-only role as soon as they exist.
      if (applied.length > 0 && store.kind === 'postgres')
        await refreshReaderGrants(store.db, options.migrationsFolder);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/** Closing twice is harmless: the second call waits for the first. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= close();
    return closing;
  };
}

/** One line for logs: which database this store talks to. */
export function describeStore(store: Pick<Store, 'kind' | 'location'>): string {
  return store.kind === 'postgres' ? `Postgres at ${store.location}` : `PGlite at ${store.location}`;
}

/** The URL with its password removed, for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

async function openPostgres(databaseUrl: string, options: OpenStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    max: options.maxConnections ?? 10,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
  });
  // A connection the server drops (a restart) must not crash the process: an idle one's error is
  // reported by the next query, a busy one's by the query it was running (whose caller retries).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreConnectionError(
      `cannot connect to Postgres at ${redactUrl(databaseUrl)} (${messageOf(error)}): ` +
        'check that the server is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded PGlite database',
      { cause: error },
    );
  }
  const url = new URL(databaseUrl);
  return {
    kind: 'postgres',
    location: `${url.host || 'localhost'}${url.pathname || '/'}`,
    db: drizzlePg(pool, { schema }),
    readOnlyQuery: (sql) => readOnlyQueryPostgres(pool, sql),
    close: once(() => pool.end()),
  };
}

async function openPglite(dataDir: string): Promise<Store> {
  const location = resolve(dataDir);
  await mkdir(location, { recursive: true });
  const unlock = lockDataDir(location);
  let client: PGlite;
  try {
    client = await PGlite.create(location);
  } catch (error) {
    unlock();
    throw new StoreConnectionError(
      `cannot open the embedded PGlite database at ${location} (${messageOf(error)}): ` +
        'check the folder is writable and not used by another curfew process, or set DATABASE_URL',
      { cause: error },
    );
  }
  return {
    kind: 'pglite',
    location,
    db: drizzlePglite(client, { schema }),
    readOnlyQuery: (sql) => readOnlyQueryPglite(client, sql),
    close: once(async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    }),
  };
}
