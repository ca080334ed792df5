import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evals, experiments, openStore, runs, type Store } from '@curfew/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Target {
  name: string;
  /** Environment for the CLI child process, and options for openStore in the test. */
  env: Record<string, string | undefined>;
  storeOptions: { databaseUrl?: string; dataDir?: string };
  cleanup: () => Promise<void>;
}

async function embeddedTarget(): Promise<Target> {
  const home = await mkdtemp(path.join(tmpdir(), 'curfew-sql-'));
  return {
    name: 'embedded PGlite',
    env: { CURFEW_HOME: home, DATABASE_URL: undefined },
    storeOptions: { dataDir: path.join(home, 'db') },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

async function serverTarget(): Promise<Target> {
  const dbName = `curfew_test_${randomUUID().replace(/-/g, '')}`;
  const home = await mkdtemp(path.join(tmpdir(), 'curfew-sql-'));
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${dbName}`;
  return {
    name: 'PostgreSQL server',
    env: { DATABASE_URL: url.toString(), CURFEW_HOME: home },
    storeOptions: { databaseUrl: url.toString() },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      // The read-only role curfew sql set up for this database.
      await c.query(`drop role if exists curfew_reader_${dbName}`);
      await c.end();
      await rm(home, { recursive: true, force: true });
    },
  };
}

async function seed(store: Store) {
  await store.db
    .insert(experiments)
    .values({ id: 'demo-1', name: 'demo', spec: {}, taskFamily: 'add', policy: 'auto' });
  await store.db.insert(runs).values([
    {
      id: 'demo-1/0',
      experimentId: 'demo-1',
      trial: 0,
      config: { lr: 0.001 },
      status: 'stopped',
      budgetTokens: 1000,
      tokensUsed: 250,
      bestStep: 2,
      deployedEm: 0.5,
      stopReason: 'plateau',
    },
    {
      id: 'demo-1/1',
      experimentId: 'demo-1',
      trial: 1,
      config: { lr: 0.01 },
      status: 'completed',
      budgetTokens: 1000,
      tokensUsed: 1000,
      bestStep: 9,
      deployedEm: 0.75,
      stopReason: 'budget',
    },
  ]);
  await store.db.insert(evals).values([
    { runId: 'demo-1/0', step: 1, tokens: 100, em: 0.25 },
    { runId: 'demo-1/0', step: 2, tokens: 200, em: 0.5 },
  ]);
}

describe.each([
  ['embedded PGlite', embeddedTarget],
  ['PostgreSQL server', serverTarget],
])('curfew sql on %s', (_name, makeTarget) => {
  let target: Target;

  beforeAll(async () => {
    target = await makeTarget();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('answers select * from run_summary on a fresh database', async () => {
    const result = await runCli(['sql', 'select * from run_summary'], { env: target.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const header = result.stdout.split('\n')[0] ?? '';
    for (const column of [
      'experiment',
      'run_id',
      'status',
      'config',
      'tokens_used',
      'budget_tokens',
      'tokens_saved',
      'best_step',
      'deployed_em',
      'stop_reason',
    ]) {
      expect(header).toMatch(new RegExp(`\\b${column}\\b`));
    }
    expect(result.stdout).toContain('(0 rows)');
  });

  it('shows stored runs, as a table, JSON and CSV', async () => {
    const store = await openStore(target.storeOptions);
    try {
      await seed(store);
    } finally {
      await store.close();
    }
    const query = 'select run_id, tokens_saved, deployed_em, stop_reason from run_summary order by run_id';
    const table = await runCli(['sql', query], { env: target.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/demo-1\/0\s+\|\s+0\.75\s+\|\s+0\.5\s+\|\s+plateau/);
    expect(table.stdout).toContain('(2 rows)');

    const json = await runCli(['sql', query, '--format', 'json'], { env: target.env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { run_id: 'demo-1/0', tokens_saved: 0.75, deployed_em: 0.5, stop_reason: 'plateau' },
      { run_id: 'demo-1/1', tokens_saved: 0, deployed_em: 0.75, stop_reason: 'budget' },
    ]);

    const csv = await runCli(['sql', query, '--format', 'csv'], { env: target.env });
    expect(csv.stdout.trim().split('\n')).toEqual([
      'run_id,tokens_saved,deployed_em,stop_reason',
      'demo-1/0,0.75,0.5,plateau',
      'demo-1/1,0,0.75,budget',
    ]);
  });

  it.each([
    'drop table runs',
    'delete from runs',
    "update runs set status = 'failed'",
    "insert into experiments (id, name, spec) values ('x', 'x', '{}')",
    'select 1; drop table runs',
    'commit; delete from runs',
  ])('refuses %j in one line and changes nothing', async (query) => {
    const result = await runCli(['sql', query], { env: target.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/read-only|one statement|multiple commands/i);

    const check = await runCli(
      [
        'sql',
        "select (select count(*) from runs) as runs, (select count(*) from experiments) as experiments, (select count(*) from runs where status = 'failed') as failed",
        '--format',
        'json',
      ],
      { env: target.env },
    );
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual([{ runs: 2, experiments: 1, failed: 0 }]);
  });

  it('refuses what would escape it, on this database, in one line, and changes nothing', async () => {
    // A session of the test's own, whose end pg_terminate_backend would cause.
    const bystander =
      target.name === 'PostgreSQL server'
        ? new pg.Client({ connectionString: target.env.DATABASE_URL })
        : null;
    await bystander?.connect();
    const pid = bystander
      ? (await bystander.query('select pg_backend_pid() as pid')).rows[0].pid
      : 'pg_backend_pid()';
    const marker = path.join(tmpdir(), `curfew-sql-${randomUUID()}`);
    try {
      for (const query of [
        '-- x\rcommit',
        '-- x\rdelete from runs',
        `copy (select 1) to program 'touch ${marker}'`,
        "select pg_read_file('/etc/passwd')",
        'set role postgres',
        'set transaction read write',
        "do $$ begin delete from runs; perform pg_read_file('/etc/passwd'); end $$",
        `select pg_terminate_backend(${pid})`,
        'select 1; delete from runs',
      ]) {
        const result = await runCli(['sql', query], { env: target.env });
        expect({ query, code: result.code, stdout: result.stdout }).toEqual({ query, code: 1, stdout: '' });
        expect(result.stderr).toMatch(/^curfew sql: refused: curfew sql is read-only \(.*\)\n$/);
      }
      expect(existsSync(marker)).toBe(false);
      if (bystander) expect((await bystander.query('select 1 as alive')).rows).toEqual([{ alive: 1 }]);
      const check = await runCli(
        [
          'sql',
          'select (select count(*) from runs) as runs, (select count(*) from evals) as evals',
          '--format',
          'json',
        ],
        { env: target.env },
      );
      expect(JSON.parse(check.stdout)).toEqual([{ runs: 2, evals: 2 }]);
    } finally {
      await bystander?.end();
    }
  });

  it('reports a SQL error in one line', async () => {
    const result = await runCli(['sql', 'select * from no_such_table'], { env: target.env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no_such_table');
  });
});
