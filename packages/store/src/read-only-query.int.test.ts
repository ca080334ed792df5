import type { PGlite } from '@electric-sql/pglite';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { queryInPgliteReadOnlyTransaction, queryInReadOnlyTransaction } from './read-only-query.js';
import { runs } from './schema/runs.js';
import { BACKENDS } from './test-backends.js';
import { seededStorePerTest } from './test-fixtures.js';

const WRITES = [
  'drop table runs',
  'DELETE FROM runs',
  "insert into experiments (id, name, spec, task_family, policy) values ('x', 'x', '{}', 't', 'p')",
  'update runs set tokens_used = 0',
  'truncate evals',
  'create table scratch (x int)',
  "select nextval('checkpoints_id_seq')",
  'with gone as (delete from evals returning *) select count(*) from gone',
  'explain analyze delete from runs',
  'select 1; drop table runs',
  'commit; drop table runs',
  'commit',
  '/* sneaky */ ROLLBACK',
  'begin',
  'set transaction read write',
  'copy runs to stdout',
  "/* /* nested */ */ copy (select 1) to '/tmp/curfew-should-not-exist'",
  'do $$ begin perform 1; end $$',
  'call no_such_procedure()',
  "select set_config('transaction_read_only', 'off', false)",
];

const COUNTS =
  'select (select count(*) from experiments) as experiments, (select count(*) from runs) as runs, ' +
  '(select count(*) from evals) as evals';

describe.each(BACKENDS)('readOnlyQuery on $name', (backend) => {
  const store = seededStorePerTest(backend);

  it('refuses every write and every way out of the read-only transaction, and changes nothing', async () => {
    const before = await store().readOnlyQuery(COUNTS);
    expect(before.rows).toEqual([{ experiments: 2, runs: 4, evals: 4 }]);

    for (const statement of WRITES) {
      const error = await store()
        .readOnlyQuery(statement)
        .catch((e: unknown) => e);
      const { name, message } = error as Error;
      expect({ statement, name, oneLine: !message?.includes('\n') }).toEqual({
        statement,
        name: 'ReadOnlyQueryError',
        oneLine: true,
      });
      expect(message).toMatch(/^refused: curfew sql is read-only/);
    }

    expect((await store().readOnlyQuery(COUNTS)).rows).toEqual(before.rows);
    // The store still writes normally afterwards: nothing leaked into the shared connection.
    await store().db.update(runs).set({ attempts: 1 }).where(eq(runs.id, 'copy-1/0'));
    expect((await store().readOnlyQuery("select attempts from runs where id = 'copy-1/0'")).rows).toEqual([
      { attempts: 1 },
    ]);
  });

  it('names the refused command', async () => {
    await expect(store().readOnlyQuery('drop table runs')).rejects.toThrow(
      'refused: curfew sql is read-only (cannot execute DROP in curfew sql: it runs queries (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW))',
    );
  });

  it('refuses writes by the read-only transaction alone, without the statement check', async () => {
    const client = (store().db as unknown as { $client: unknown }).$client;
    const unchecked = (statement: string) =>
      backend.name === 'postgres'
        ? (async () => {
            const connection = await (client as pg.Pool).connect();
            try {
              return await queryInReadOnlyTransaction(connection, statement);
            } finally {
              connection.release(true);
            }
          })()
        : queryInPgliteReadOnlyTransaction(client as PGlite, statement);
    const before = (await store().readOnlyQuery(COUNTS)).rows;
    for (const statement of [
      'drop table runs',
      'delete from runs',
      'with gone as (delete from evals returning *) select 1',
    ]) {
      await expect(unchecked(statement)).rejects.toThrow(
        /^refused: curfew sql is read-only \(cannot execute /,
      );
    }
    expect((await store().readOnlyQuery(COUNTS)).rows).toEqual(before);
  });

  it('returns fields and plain rows for a select', async () => {
    const { fields, rows } = await store().readOnlyQuery(
      "select id, trial, tokens_used, config, created_at, 1.50::numeric as ratio, 9007199254740993::bigint as big from runs where experiment_id = 'kv-qa-sweep-3' order by trial",
    );
    expect(fields).toEqual(['id', 'trial', 'tokens_used', 'config', 'created_at', 'ratio', 'big']);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({
      id: 'kv-qa-sweep-3/1',
      trial: 1,
      tokens_used: 400,
      config: { lr: 0.002 },
      ratio: '1.50',
      big: '9007199254740993',
    });
    expect(rows[1]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('reports SQL errors as QueryError with Postgres message', async () => {
    const missing = await store()
      .readOnlyQuery('select * from no_such_table')
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'QueryError', code: '42P01' });
    expect((missing as Error).message).toBe('relation "no_such_table" does not exist');

    const syntax = await store()
      .readOnlyQuery('select 1 +')
      .catch((e: unknown) => e);
    expect(syntax).toMatchObject({ name: 'QueryError', code: '42601' });
  });

  it('keeps every column when names repeat', async () => {
    const { fields, rows } = await store().readOnlyQuery(
      'select count(*), count(*) filter (where false) from runs r join experiments e on e.id = r.experiment_id',
    );
    expect(fields).toEqual(['count', 'count_2']);
    expect(rows).toEqual([{ count: 4, count_2: 0 }]);
  });
});
