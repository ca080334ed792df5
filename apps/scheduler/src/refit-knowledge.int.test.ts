import { META_MODEL_KIND } from '@curfew/meta';
import { metaModels, type StoreDatabase } from '@curfew/store';
import { BACKENDS, postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refitMeta } from './meta-hooks';
import { refitKnowledge } from './refit-knowledge';
import { seedHistory, syntheticHistory } from './refit-test-history';

let database: TestDatabase;
beforeEach(async () => {
  database = await postgresBackend.create();
});
afterEach(async () => {
  await database.cleanup();
});

/** Two tasks of eight runs each: half peak at 30% of the budget, half at the end. */
const history = () =>
  syntheticHistory({
    tasks: 2,
    runs: 8,
    evals: 10,
    lr: (i) => 10 ** (-4 + i / 2),
    value: (_, i, k) => (i >= 4 ? 0.5 - Math.abs(k - 2) * 0.03 : 0.05 * (k + 1)),
  });
const seed = (database: TestDatabase) => seedHistory(database.store.db, history());

const kinds = async (database: TestDatabase) =>
  (await database.store.db.select().from(metaModels).orderBy(asc(metaModels.version))).map((r) => {
    const state = r.state as { kind: string; fitId?: string };
    return { kind: state.kind, fitId: state.fitId };
  });

describe('refitKnowledge', () => {
  it('stores the stop models and the meta-learner of one refit together, with one fit id', async () => {
    await seed(database);
    const fitId = await refitKnowledge(
      database.store.db,
      (db, id) => refitMeta(db, () => {}, id),
      () => {},
    );
    expect(await kinds(database)).toEqual([
      { kind: 'curfew-stop-models/1', fitId },
      { kind: META_MODEL_KIND, fitId },
    ]);
  });

  it('stores neither when the meta-learner fails', async () => {
    await seed(database);
    await expect(
      refitKnowledge(
        database.store.db,
        async () => {
          throw new Error('meta refit failed');
        },
        () => {},
      ),
    ).rejects.toThrow('meta refit failed');
    expect(await kinds(database)).toEqual([]);
  });
});

describe.each(BACKENDS)('a long refit on $name', (backend) => {
  it('keeps its transaction through a fit longer than the idle-in-transaction timeout', async () => {
    await database.cleanup();
    database = await backend.create({ idleInTransactionTimeoutMs: 300 });
    await seed(database);
    // A meta fit that computes for 1.5 s between statements, as a large history's fit does.
    const slowMeta = async (db: StoreDatabase, id: string) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await refitMeta(db, () => {}, id);
    };
    const fitId = await refitKnowledge(database.store.db, slowMeta, () => {});
    expect((await kinds(database)).map((k) => k.fitId)).toEqual([fitId, fitId]);
  });
});
