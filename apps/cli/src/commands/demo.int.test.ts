import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import { adminQuery } from '@curfew/store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

/** A command line as a POSIX shell splits it (the demo prints only plain words and "…" strings). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** The commands the demo prints after "Look closer", without their `npx curfew`. */
function followUps(stdout: string): string[][] {
  const after = stdout.slice(stdout.indexOf('Look closer'));
  return after
    .split('\n')
    .filter((line) => line.startsWith('  npx curfew '))
    .map((line) => shellWords(line.trim()).slice(2));
}

const home = await mkdtemp(path.join(tmpdir(), 'curfew-demo-'));
const database = `curfew_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const prefix = `{test-${randomUUID()}}`;
// A newcomer's shell: no DATABASE_URL, no CURFEW_HOME (so .curfew in the folder), a local
// PostgreSQL server. The database curfew creates on it is the test's own.
const env = {
  DATABASE_URL: undefined,
  CURFEW_HOME: undefined,
  CURFEW_LOCAL_DATABASE: database,
  CURFEW_QUEUE_PREFIX: prefix,
};

afterAll(async () => {
  const redis = createRedis(process.env.REDIS_URL ?? DEFAULT_REDIS_URL, { blocking: false });
  for (const name of [QUEUE_NAMES.runs, QUEUE_NAMES.experiments]) {
    const queue = createQueue(name, redis, prefix);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  redis.disconnect();
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await adminQuery(`DROP ROLE IF EXISTS curfew_reader_${database}`);
  await rm(home, { recursive: true, force: true });
});

describe('curfew demo', () => {
  it("prints follow-up commands that find the demo's runs after the cluster has stopped", async () => {
    const demo = await runCli(['demo', '--quick'], { env, cwd: home });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('== 2/2: a task the history has never seen (add), policy auto');
    expect(existsSync(path.join(home, '.curfew', 'cluster.json'))).toBe(false);

    const commands = followUps(demo.stdout);
    expect(commands.map((c) => c[0])).toEqual(['sql', 'sql', 'report', 'status']);
    const [predictions, summary, report, status] = await Promise.all(
      commands.map((args) => runCli(args, { env, cwd: home })),
    );
    for (const result of [predictions, summary, report, status]) expect(result?.stderr).toBe('');
    expect(predictions?.stdout).toMatch(/demo-add-full-1\/3 +\| +\d+/);
    expect(predictions?.stdout).toContain('(6 rows)');
    expect(summary?.stdout).toMatch(/demo-add-auto-1\/0 +\| (stopped|completed)/);
    expect(summary?.stdout).toContain('(6 rows)');
    expect(report?.stdout).toBe('wrote demo-add-auto-1.html (6 runs)\n');
    expect(existsSync(path.join(home, 'demo-add-auto-1.html'))).toBe(true);
    expect(status?.stdout.split('\n')[0]).toBe(
      `database: Postgres at 127.0.0.1:5432/${database} (remembered in .curfew/config.json)`,
    );
    expect(status?.stdout).toMatch(/demo-add-auto-1 +\| done +\| auto +\| 6\/6/);
  }, 300_000);

  it('run again, reuses its history and says the task is no longer new to it', async () => {
    const again = await runCli(['demo', '--quick'], { env, cwd: home });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      'reusing demo-history-reverse-1 and demo-history-sort-1, trained by an earlier demo',
    );
    expect(again.stdout).not.toContain('demo-history-reverse-2');
    expect(again.stdout).toMatch(/== 2\/2: add again, .*\nThe history already holds \d+ runs of add/);
    expect(again.stdout).not.toContain('never seen');
    const summary = followUps(again.stdout)[1] as string[];
    expect(summary.at(-1)).toContain("experiment = 'demo-add-auto-2'");
    const result = await runCli(summary, { env, cwd: home });
    expect(result.stdout).toContain('(6 rows)');
  }, 300_000);
});
