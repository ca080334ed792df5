import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { messageOf } from './errors.js';
import { type OpenStoreOptions, openStore, redactUrl, type Store } from './open-store.js';
import { readerRoleName } from './reader-role.js';

/** Test helpers (not exported): a fresh database per test on real Postgres and on PGlite. */

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  store: Store;
  /** Postgres: the URL of the test database; PGlite: undefined. */
  databaseUrl: string | undefined;
  /** PGlite: the data folder; Postgres: undefined. */
  dataDir: string | undefined;
  /** Opens another store on the same database. */
  reopen(options?: OpenStoreOptions): Promise<Store>;
  cleanup(): Promise<void>;
}

export interface TestBackend {
  name: 'postgres' | 'pglite';
  create(options?: OpenStoreOptions): Promise<TestDatabase>;
}

export async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `integration tests need a Postgres server at ${redactUrl(TEST_DATABASE_URL)} (${messageOf(error)}); ` +
        'start one (npm run services) or set TEST_DATABASE_URL',
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export const postgresBackend: TestBackend = {
  name: 'postgres',
  async create(options = {}) {
    const database = `curfew_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await adminQuery(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const databaseUrl = url.toString();
    const opened: Store[] = [];
    const reopen = async (more: OpenStoreOptions = {}) => {
      const store = await openStore({ ...options, ...more, databaseUrl });
      opened.push(store);
      return store;
    };
    try {
      const store = await reopen();
      return {
        store,
        databaseUrl,
        dataDir: undefined,
        reopen,
        async cleanup() {
          await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
          await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          // The read-only role `curfew sql` sets up per database (roles outlive databases).
          await adminQuery(`DROP ROLE IF EXISTS ${readerRoleName(database)}`);
        },
      };
    } catch (error) {
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      throw error;
    }
  },
};

/**
 * initdb takes seconds on PGlite while opening an existing folder takes a fraction of one, so each
 * test file initialises one template folder per `migrate` setting and every test copies it.
 */
const pgliteTemplates = new Map<boolean, Promise<string>>();

function pgliteTemplate(migrate: boolean): Promise<string> {
  let template = pgliteTemplates.get(migrate);
  if (!template) {
    template = (async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'curfew-template-'));
      const store = await openStore({ dataDir, migrate });
      await store.close();
      return dataDir;
    })();
    pgliteTemplates.set(migrate, template);
  }
  return template;
}

afterAll(async () => {
  const templates = await Promise.all(pgliteTemplates.values());
  pgliteTemplates.clear();
  await Promise.all(templates.map((dir) => rm(dir, { recursive: true, force: true })));
});

export const pgliteBackend: TestBackend = {
  name: 'pglite',
  async create(options = {}) {
    const dataDir = await mkdtemp(join(tmpdir(), 'curfew-test-'));
    await cp(await pgliteTemplate(options.migrate ?? true), dataDir, { recursive: true });
    let current: Store | undefined;
    const reopen = async (more: OpenStoreOptions = {}) => {
      await current?.close();
      current = await openStore({ ...options, ...more, dataDir });
      return current;
    };
    try {
      const store = await reopen();
      return {
        store,
        databaseUrl: undefined,
        dataDir,
        reopen,
        async cleanup() {
          await current?.close().catch(() => undefined);
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  },
};

export const BACKENDS: readonly TestBackend[] = [postgresBackend, pgliteBackend];
