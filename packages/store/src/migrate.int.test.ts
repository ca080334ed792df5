import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { DEFAULT_MIGRATIONS_FOLDER, readMigrationFiles } from './migration-files.js';
import { openStore } from './open-store.js';
import { adminQuery, BACKENDS, postgresBackend, type TestDatabase } from './test-backends.js';

const TABLES = [
  'checkpoints',
  'decisions',
  'discarded_evals',
  'evals',
  'experiments',
  'meta_history',
  'meta_models',
  'meta_shapes',
  'predictions',
  'run_attempts',
  'run_logs',
  'runs',
];
const VIEWS = ['experiment_summary', 'run_summary', 'savings'];

describe.each(BACKENDS)('migrate on $name', (backend) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await backend.create({ migrate: false });
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('creates the tables and views on an empty database, and re-applying is a no-op', async () => {
    const tags = (await readMigrationFiles(DEFAULT_MIGRATIONS_FOLDER)).map((m) => m.tag);
    expect(tags).toEqual([
      '0000_tables',
      '0001_views',
      '0002_meta',
      '0003_decisions',
      '0004_meta_relevance',
      '0005_run_logs',
      '0006_meta_outcome',
      '0007_predict_stop_once',
      '0008_predict_stop_plpgsql',
      '0009_predict_stop_kinds',
    ]);

    expect(await migrate(t.store.db)).toEqual({ applied: tags });
    const { rows } = await t.store.readOnlyQuery(
      "select table_name, table_type from information_schema.tables where table_schema = 'public' order by 1",
    );
    expect(rows.filter((r) => r.table_type === 'BASE TABLE').map((r) => r.table_name)).toEqual(
      [...TABLES, 'curfew_migrations'].sort(),
    );
    expect(rows.filter((r) => r.table_type === 'VIEW').map((r) => r.table_name)).toEqual(VIEWS);

    expect(await migrate(t.store.db)).toEqual({ applied: [] });
    const recorded = await t.store.readOnlyQuery('select tag from curfew_migrations order by tag');
    expect(recorded.rows.map((r) => r.tag)).toEqual(tags);
  });

  it('documents the views with SQL comments', async () => {
    await migrate(t.store.db);
    const { rows } = await t.store.readOnlyQuery(
      "select obj_description('savings'::regclass, 'pg_class') as view, " +
        "col_description('run_summary'::regclass, 9) as tokens_saved",
    );
    expect(rows[0]?.view).toMatch(/tokens saved/i);
    expect(rows[0]?.tokens_saved).toMatch(/1 - tokens_used \/ budget_tokens/);
  });

  it('documents every column of the decision service tables (the dashboard reads them)', async () => {
    await migrate(t.store.db);
    const { rows } = await t.store.readOnlyQuery(
      'select c.relname as table_name, a.attname as column_name, ' +
        'col_description(c.oid, a.attnum) as comment, obj_description(c.oid, $$pg_class$$) as table_comment ' +
        'from pg_class c join pg_attribute a on a.attrelid = c.oid ' +
        "where c.relname in ('decisions', 'run_attempts', 'discarded_evals', 'run_logs') and a.attnum > 0 and not a.attisdropped",
    );
    expect(rows.length).toBeGreaterThan(40);
    expect(
      rows.filter((r) => !r.comment || !r.table_comment).map((r) => `${r.table_name}.${r.column_name}`),
    ).toEqual([]);
  });

  it('refuses to run when an applied migration was edited, naming the file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'curfew-migrations-'));
    try {
      await cp(DEFAULT_MIGRATIONS_FOLDER, folder, { recursive: true });
      await migrate(t.store.db, { migrationsFolder: folder });
      await writeFile(join(folder, '0001_views.sql'), '-- edited\nselect 1;\n');
      const error = await migrate(t.store.db, { migrationsFolder: folder }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'MigrationError' });
      expect((error as Error).message).toContain('0001_views.sql');
      expect((error as Error).message).toContain('never edit an applied migration');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('migrate on postgres, from several processes at once', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await postgresBackend.create({ migrate: false });
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('applies each migration once when 4 pools migrate concurrently', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => t.reopen({ migrate: false })));
    const results = await Promise.all(stores.map((store) => migrate(store.db)));

    const appliedTags = results.flatMap((r) => r.applied);
    expect(appliedTags.sort()).toEqual([
      '0000_tables',
      '0001_views',
      '0002_meta',
      '0003_decisions',
      '0004_meta_relevance',
      '0005_run_logs',
      '0006_meta_outcome',
      '0007_predict_stop_once',
      '0008_predict_stop_plpgsql',
      '0009_predict_stop_kinds',
    ]);
    const { rows } = await t.store.readOnlyQuery(
      'select tag, count(*) as times from curfew_migrations group by tag order by tag',
    );
    expect(rows).toEqual([
      { tag: '0000_tables', times: 1 },
      { tag: '0001_views', times: 1 },
      { tag: '0002_meta', times: 1 },
      { tag: '0003_decisions', times: 1 },
      { tag: '0004_meta_relevance', times: 1 },
      { tag: '0005_run_logs', times: 1 },
      { tag: '0006_meta_outcome', times: 1 },
      { tag: '0007_predict_stop_once', times: 1 },
      { tag: '0008_predict_stop_plpgsql', times: 1 },
      { tag: '0009_predict_stop_kinds', times: 1 },
    ]);
  });
});

describe('openStore', () => {
  it('reports an unreachable Postgres in one line, without the password', async () => {
    const error = await openStore({
      databaseUrl: 'postgres://curfew:s3cret@127.0.0.1:1/curfew',
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreConnectionError' });
    const { message } = error as Error;
    expect(message).toContain('127.0.0.1:1/curfew');
    expect(message).not.toContain('s3cret');
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('\n');
  });
});

describe('a database user who may only read', () => {
  let t: TestDatabase;
  const role = `curfew_reader_${Math.random().toString(36).slice(2, 10)}`;
  beforeEach(async () => {
    t = await postgresBackend.create();
    // As the owner: a login that may read every table and view, and create nothing.
    await t.store.db.execute(sql.raw(`create role ${role} login`));
    await t.store.db.execute(sql.raw(`grant select on all tables in schema public to ${role}`));
    await t.store.db.execute(sql.raw(`revoke create on schema public from public`));
  });
  afterEach(async () => {
    await t?.store.db.execute(sql.raw(`drop owned by ${role}`)).catch(() => undefined);
    await t?.cleanup();
    await adminQuery(`drop role if exists ${role}`);
  });

  it('opens an up-to-date store and queries it', async () => {
    const url = new URL(t.databaseUrl as string);
    url.username = role;
    const reader = await openStore({ databaseUrl: url.toString() });
    try {
      const { rows } = await reader.readOnlyQuery('select count(*) as runs from run_summary');
      expect(rows).toEqual([{ runs: 0 }]);
    } finally {
      await reader.close();
    }
  });
});
