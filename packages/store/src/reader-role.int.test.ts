import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_FOLDER } from './migration-files.js';
import {
  grantReader,
  privilegesOfConcern,
  type ReaderCredentials,
  readerRoleName,
  setUpReaderRole,
} from './reader-role.js';
import { adminQuery, postgresBackend, type TestDatabase } from './test-backends.js';
import { seedHistory } from './test-fixtures.js';

let database: TestDatabase | undefined;
let reader: pg.Client | undefined;
let owner: pg.Client | undefined;
const folders: string[] = [];
afterEach(async () => {
  await reader?.end().catch(() => undefined);
  await owner?.end().catch(() => undefined);
  reader = owner = undefined;
  const role = database?.databaseUrl ? readerRoleName(new URL(database.databaseUrl).pathname.slice(1)) : null;
  await database?.cleanup();
  database = undefined;
  if (role) await adminQuery(`DROP ROLE IF EXISTS "${role}"`);
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function connectAs(url: string, credentials: ReaderCredentials): Promise<pg.Client> {
  const u = new URL(url);
  u.username = credentials.user;
  u.password = credentials.password;
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  return client;
}

const codeOf = (client: pg.Client, statement: string) =>
  client.query(statement).then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );

describe("curfew sql's read-only role on a PostgreSQL server", () => {
  it('reads curfew tables and views, and by its own rights can do nothing else, even outside any check', async () => {
    database = await postgresBackend.create();
    await seedHistory(database.store.db);
    const credentials = await setUpReaderRole(database.store.db, 'a1b2c3d4e5f6a7b8c9d0');
    reader = await connectAs(database.databaseUrl as string, credentials);

    expect((await reader.query('select count(*)::int as n from run_summary')).rows).toEqual([{ n: 4 }]);
    expect(
      (await reader.query("select count(*)::int as n from curfew_predict_stop('{}'::jsonb)")).rows,
    ).toEqual([{ n: 0 }]);
    expect(
      (await reader.query("select count(*)::int as n from curfew_predict_outcome('{}'::jsonb)")).rows,
    ).toEqual([{ n: 0 }]);
    expect((await reader.query('show default_transaction_read_only')).rows).toEqual([
      { default_transaction_read_only: 'on' },
    ]);
    expect((await reader.query('show statement_timeout')).rows).toEqual([{ statement_timeout: '30s' }]);
    owner = new pg.Client({ connectionString: database.databaseUrl });
    await owner.connect();
    expect(await privilegesOfConcern(reader)).toBeNull();
    expect(await privilegesOfConcern(owner)).toMatch(/is a superuser$/);

    // The walls of `curfew sql` taken away (no statement check, a read-write transaction):
    // what stops these is the role alone, with insufficient_privilege (42501).
    await reader.query('set default_transaction_read_only = off');
    const [ownerSession] = (await owner.query('select pg_backend_pid() as pid')).rows;
    const refused = {
      delete: await codeOf(reader, 'delete from runs'),
      insert: await codeOf(reader, "insert into runs (id) values ('x')"),
      copyToProgram: await codeOf(reader, "copy (select 1) to program 'touch /tmp/curfew-reader-was-here'"),
      readFile: await codeOf(reader, "select pg_read_file('/etc/passwd')"),
      setRole: await codeOf(reader, 'set role postgres'),
      doBlock: await codeOf(reader, 'do $$ begin delete from runs; end $$'),
      terminate: await codeOf(reader, `select pg_terminate_backend(${ownerSession?.pid})`),
      createTable: await codeOf(reader, 'create table scratch (x int)'),
      catalogSecrets: await codeOf(reader, 'select * from pg_authid'),
    };
    expect(refused).toEqual({
      delete: '42501',
      insert: '42501',
      copyToProgram: '42501',
      readFile: '42501',
      setRole: '42501',
      doBlock: '42501',
      terminate: '42501',
      createTable: '42501',
      catalogSecrets: '42501',
    });
    expect((await owner.query('select count(*)::int as runs from runs')).rows).toEqual([{ runs: 4 }]);
    expect((await owner.query('select 1 as alive')).rows).toEqual([{ alive: 1 }]);
  });

  it('is set up and granted from several sessions at once, each waiting for the others', async () => {
    database = await postgresBackend.create();
    const db = database.store.db;
    const { user } = await setUpReaderRole(db, 'c0ffee00c0ffee00c0ffee');
    // Unserialised, PostgreSQL fails one of two GRANTs on one object at once with
    // "tuple concurrently updated" (as four `curfew sql` of the demo's follow-ups once did).
    const settled = await Promise.allSettled(
      Array.from({ length: 3 }, () => Array.from({ length: 6 }, () => grantReader(db, user))).flat(),
    );
    expect(settled.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const credentials = await setUpReaderRole(db, 'c0ffee11c0ffee11c0ffee');
    reader = await connectAs(database.databaseUrl as string, credentials);
    expect((await reader.query('select count(*)::int as n from runs')).rows).toEqual([{ n: 0 }]);
  });

  it('is granted the tables a later migration adds', async () => {
    database = await postgresBackend.create();
    const credentials = await setUpReaderRole(database.store.db, 'f0e1d2c3b4a5f6e7d8c9');
    const folder = await mkdtemp(join(tmpdir(), 'curfew-migrations-'));
    folders.push(folder);
    await cp(DEFAULT_MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8'));
    journal.entries.push({
      idx: journal.entries.length,
      version: '7',
      when: 0,
      tag: '9999_later',
      breakpoints: true,
    });
    await writeFile(journalFile, JSON.stringify(journal));
    await writeFile(
      join(folder, '9999_later.sql'),
      'CREATE TABLE later_things (x int);\nINSERT INTO later_things VALUES (7);',
    );
    const reopened = await database.reopen({ migrationsFolder: folder });
    expect(reopened.kind).toBe('postgres');
    reader = await connectAs(database.databaseUrl as string, credentials);
    expect((await reader.query('select x from later_things')).rows).toEqual([{ x: 7 }]);
  });
});
