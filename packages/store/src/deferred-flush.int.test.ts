import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreDatabase } from './database.js';
import { commitFlush } from './deferred-flush.js';
import { lockExperimentOfRunWithEvents } from './experiment-events.js';
import { openStore, type Store } from './open-store.js';
import { insertExperimentRuns } from './run-records.js';
import { experiments } from './schema/experiments.js';
import { adminQuery, BACKENDS, postgresBackend, type TestDatabase } from './test-backends.js';

const TIMEOUT_MS = 180_000;

const setting = async (db: StoreDatabase) =>
  ((await db.execute(sql`show synchronous_commit`)) as unknown as { rows: { synchronous_commit: string }[] })
    .rows[0]?.synchronous_commit;

describe.each(BACKENDS)('commits flushed after their lock on $name', { timeout: TIMEOUT_MS }, (backend) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });

  it('defers the disk for its own transaction only, and the commit stands once flushed', async () => {
    database = await backend.create();
    const { db } = database.store;
    const commits = commitFlush(db);
    const inside = await db.transaction(async (tx) => {
      await commits.defer(tx);
      await insertExperimentRuns(
        tx,
        { id: 'df-1', name: 'df', spec: {}, taskFamily: 'add', policy: 'none' },
        [],
      );
      return setting(tx);
    });
    await commits.flush();
    // Deferred on Postgres; PGlite (one process, in-process) commits as before.
    expect(inside).toBe(backend.name === 'postgres' ? 'off' : 'on');
    expect(await setting(db)).toBe('on');
    expect(await db.select({ id: experiments.id }).from(experiments)).toEqual([{ id: 'df-1' }]);
  });

  it("defers in the report's own round trip when the lock is taken with deferCommit", async () => {
    database = await backend.create();
    const { db } = database.store;
    await insertExperimentRuns(db, { id: 'df-2', name: 'df', spec: {}, taskFamily: 'add', policy: 'none' }, [
      { id: 'df-2/0', experimentId: 'df-2', trial: 0 },
    ]);
    const [plain, deferred] = await Promise.all(
      [false, true].map((deferCommit) =>
        db.transaction(async (tx) => {
          const { lock } = await lockExperimentOfRunWithEvents(tx, 'df-2/0', 'df-2', -1, { deferCommit });
          return [lock.experimentId, await setting(tx)];
        }),
      ),
    );
    expect(plain).toEqual(['df-2', 'on']);
    expect(deferred).toEqual(['df-2', backend.name === 'postgres' ? 'off' : 'on']);
  });
});

describe('commits on a server that does not let its user write the flush record', {
  timeout: TIMEOUT_MS,
}, () => {
  let database: TestDatabase | undefined;
  let limited: Store | undefined;
  const role = `curfew_noflush_${process.pid}`;
  afterEach(async () => {
    await limited?.close();
    await database?.cleanup();
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    database = undefined;
    limited = undefined;
  });

  it('waits for the disk at each commit, as without the deferral', async () => {
    database = await postgresBackend.create();
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    await database.store.db.execute(
      sql.raw(
        `revoke execute on function pg_logical_emit_message(boolean, text, text) from public; grant all on all tables in schema public to ${role}`,
      ),
    );
    const url = new URL(database.databaseUrl as string);
    url.username = role;
    limited = await openStore({ databaseUrl: url.toString(), migrate: false });
    const commits = commitFlush(limited.db);
    const inside = await limited.db.transaction(async (tx) => {
      await commits.defer(tx);
      return setting(tx);
    });
    await commits.flush();
    expect(inside).toBe('on');
  });
});
