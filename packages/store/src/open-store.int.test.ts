import { writeFile } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeStore, openStore } from './open-store.js';
import { experiments } from './schema/experiments.js';
import { BACKENDS, pgliteBackend, type TestDatabase } from './test-backends.js';

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
