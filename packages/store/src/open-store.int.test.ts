import { writeFile } from 'node:fs/promises';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeStore, openStore } from './open-store.js';
import { experiments } from './schema/experiments.js';
import { BACKENDS, pgliteBackend, postgresBackend, type TestDatabase } from './test-backends.js';

describe('PGlite store', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await pgliteBackend.create();
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('keeps its data across close and reopen of the same dataDir', async () => {
    await t.store.db.insert(experiments).values({
      id: 'kv-qa-sweep-1',
      name: 'kv-qa-sweep',
      spec: { name: 'kv-qa-sweep' },
      taskFamily: 'kv-qa',
      policy: 'auto',
    });
    await t.store.close();

    const reopened = await t.reopen();
    const rows = await reopened.db.select().from(experiments).where(eq(experiments.id, 'kv-qa-sweep-1'));
    expect(rows).toMatchObject([{ name: 'kv-qa-sweep', status: 'pending', spec: { name: 'kv-qa-sweep' } }]);
    expect(rows[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('refuses a second opener of the same folder while it is open, in one line', async () => {
    const error = await openStore({ dataDir: t.dataDir as string }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('StoreConnectionError');
    expect((error as Error).message).toMatch(new RegExp(`in use by process ${process.pid}`));
    expect((error as Error).message).not.toContain('\n');
    await t.store.close();
    const second = await openStore({ dataDir: t.dataDir as string });
    await second.close();
  });

  it('takes over a lock left by a process that has died', async () => {
    await t.store.close();
    // A pid that is not running: the largest pid Linux hands out is below 2^22.
    await writeFile(`${t.dataDir}.lock`, '4194303');
    const reopened = await t.reopen();
    expect(reopened.kind).toBe('pglite');
  });
});

describe.each(BACKENDS)('describeStore on $name', (backend) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await backend.create();
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('says where the data lives, without credentials', () => {
    const line = describeStore(t.store);
    if (backend.name === 'pglite') {
      expect(line).toBe(`PGlite at ${t.dataDir}`);
    } else {
      expect(line).toMatch(/^Postgres at 127\.0\.0\.1:5432\/curfew_test_[0-9a-f]+$/);
    }
  });
});

describe('Postgres store', () => {
  let t: TestDatabase;
  afterEach(async () => {
    await t?.cleanup();
  });

  it('ends a session left idle inside a transaction, so a frozen process releases its row locks', async () => {
    t = await postgresBackend.create({ idleInTransactionTimeoutMs: 500 });
    await t.store.db.insert(experiments).values({
      id: 'frozen-1',
      name: 'frozen',
      spec: {},
      taskFamily: 'add',
      policy: 'none',
    });
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // The store's session takes the row lock a worker takes per eval, then sends nothing for 4 s,
    // as a process that was frozen mid-transaction would.
    const frozen = t.store.db.transaction(async (tx) => {
      await tx.execute(sql`select id from experiments where id = 'frozen-1' for update`);
      locked();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await tx.execute(sql`select 1`);
    });
    const outcome = frozen.then(
      () => 'committed',
      (error: unknown) => String((error as { cause?: unknown }).cause ?? error),
    );
    await isLocked;
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      const started = Date.now();
      await other.query('begin');
      await other.query(`select id from experiments where id = 'frozen-1' for update`);
      await other.query('commit');
      // The server ended the frozen session after 0.5 s instead of waiting the 4 s out.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await other.end();
    }
    expect(await outcome).toMatch(/idle-in-transaction|terminat|Connection/i);
  });
});
