import { describe, expect, it } from 'vitest';
import { checkReadOnlyStatement, sqlTokens } from './sql-check.js';

const refusal = (statement: string) => {
  try {
    checkReadOnlyStatement(statement);
    return null;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
};

describe('checkReadOnlyStatement', () => {
  it.each([
    'select * from run_summary',
    '  (select 1) union (select 2);',
    'with best as (select max(deployed_em) as em from runs) select * from best where em > 0.5 -- a note',
    'values (1), (2)',
    'table experiments',
    'explain select * from evals',
    'show statement_timeout',
    'select \'delete from runs; commit\' as text, "insert" from runs',
    'select $$drop table runs$$, $tag$; copy$tag$',
    "select E'it\\'s -- not a comment; drop', 1 /* a /* nested */ comment; */",
    'select * from curfew_predict_stop(\'{"family":"add"}\', 1000000)',
    'select count(*) filter (where status = $1) from runs',
  ])('lets a query through: %j', (statement) => {
    expect(refusal(statement)).toBeNull();
  });

  it.each([
    ['-- x\rcommit', /cannot execute COMMIT/],
    ['-- x\rdelete from runs', /cannot execute DELETE/],
    ["copy (select 1) to program 'id'", /cannot execute COPY/],
    ["select pg_read_file('/etc/passwd')", /cannot call pg_read_file\(\)/],
    ["select pg_catalog.pg_read_file('/etc/passwd')", /cannot call pg_read_file\(\)/],
    ['select "pg_read_file" (\'/etc/passwd\')', /cannot call pg_read_file\(\)/],
    ['set role postgres', /cannot execute SET/],
    ['set transaction read write', /cannot execute SET/],
    ['do $$ begin delete from runs; end $$', /cannot execute DO/],
    ['select pg_terminate_backend(pid) from pg_stat_activity', /cannot call pg_terminate_backend\(\)/],
    ['select 1; select 2', /one statement at a time/],
    ['select 1; -- x\r drop table runs', /one statement at a time/],
    ['/* a /* nested */ comment */ rollback', /cannot execute ROLLBACK/],
    ['with gone as (delete from evals returning *) select count(*) from gone', /cannot execute DELETE/],
    ['select * into scratch from runs', /cannot execute INTO/],
    ['select * from runs for update', /cannot execute UPDATE/],
    ["select lo_import('/etc/passwd')", /cannot call lo_import\(\)/],
    ["select set_config('default_transaction_read_only', 'off', false)", /cannot call set_config\(\)/],
    [
      "select query_to_xml('copy (select 1) to program ''id''', true, true, '')",
      /cannot call query_to_xml\(\)/,
    ],
    ["select pg_ls_dir('/')", /cannot call pg_ls_dir\(\)/],
    ['select U&"\\0070g_read_file"(1)', /Unicode-escaped/],
    ['', /no statement/],
    ['-- only a comment', /no statement/],
  ])('refuses %j in one line', (statement, why) => {
    const result = refusal(statement);
    expect(result?.name).toBe('ReadOnlyQueryError');
    expect(result?.message).toMatch(/^refused: curfew sql is read-only \(/);
    expect(result?.message).toMatch(why);
    expect(result?.message).not.toContain('\n');
  });
});

describe('sqlTokens', () => {
  it('ends a -- comment at a carriage return, as PostgreSQL does', () => {
    expect(sqlTokens('-- x\rcommit').map((t) => t.text)).toEqual(['commit']);
    expect(sqlTokens('-- x\ncommit').map((t) => t.text)).toEqual(['commit']);
  });

  it('keeps strings, dollar quotes and quoted names apart from words', () => {
    expect(
      sqlTokens(`select 'a;b', $q$c;d$q$, "E", e'x\\'y' from t`).map((t) => `${t.kind}:${t.text}`),
    ).toEqual([
      'word:select',
      'string:',
      'other:,',
      'string:',
      'other:,',
      'quoted:E',
      'other:,',
      'string:',
      'word:from',
      'word:t',
    ]);
  });
});
