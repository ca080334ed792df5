// A Postgres database of its own for a bench: created on the local server, migrated by openStore,
// dropped (forcibly) afterwards, so a bench never touches the databases of tests or users.
import { randomUUID } from 'node:crypto';
import { openStore, readerRoleName, type Store } from '@curfew/store';
import pg from 'pg';

/** The server's maintenance database; the bench databases are created beside it. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  store: Store;
  /** The database's URL (for other processes and for psql). */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database named `curfew_bench_<random>`; `drop()` closes the store and drops it. */
export async function benchDatabase(options: { maxConnections?: number } = {}): Promise<BenchDatabase> {
  const name = `curfew_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const store = await openStore({ databaseUrl: url.toString(), maxConnections: options.maxConnections });
    return {
      store,
      url: url.toString(),
      drop: async () => {
        await store.close();
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        // The read-only role `curfew sql` would set up for it (roles outlive databases).
        await admin(`DROP ROLE IF EXISTS ${readerRoleName(name)}`);
      },
    };
  } catch (error) {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw error;
  }
}
