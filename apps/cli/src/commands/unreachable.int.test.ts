import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

const home = await mkdtemp(path.join(tmpdir(), 'curfew-unreachable-'));
afterAll(() => rm(home, { recursive: true, force: true }));

/** Failed in one line, naming the command, with no stack trace. */
function expectOneLine(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('a database that does not answer', () => {
  it('remembered by the curfew home: every command says which, where it came from, and what to do', async () => {
    await writeFile(
      path.join(home, 'config.json'),
      JSON.stringify({
        database_url: 'postgres://postgres@127.0.0.1:1/curfew',
        chosen_by: 'curfew up',
        chosen_at: 'x',
      }),
    );
    const env = { CURFEW_HOME: home, DATABASE_URL: undefined };
    const status = await runCli(['status'], { env });
    expect(status.stdout.split('\n')[0]).toMatch(
      /^database: Postgres at 127\.0\.0\.1:1\/curfew \(remembered in .*config\.json\)$/,
    );
    expectOneLine(
      status,
      /^curfew: cannot connect to Postgres at 127\.0\.0\.1:1\/curfew \(remembered in .*\), the database this curfew home was set up with \(.*ECONNREFUSED.*\): start that server/,
    );
    for (const args of [['sql', 'select 1'], ['runs'], ['report', 'x-1']]) {
      expectOneLine(
        await runCli(args, { env }),
        /^curfew: cannot connect to Postgres at 127\.0\.0\.1:1\/curfew/,
      );
    }
  });

  it('from DATABASE_URL: one line naming it, with no password', async () => {
    const env = { CURFEW_HOME: home, DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/curfew' };
    const result = await runCli(['sql', 'select 1'], { env });
    expectOneLine(result, /^cannot connect to Postgres at postgres:\/\/someone@127\.0\.0\.1:1\/curfew/);
    expect(result.stderr).not.toContain('secret');
  });
});
