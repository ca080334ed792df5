import { appendRunLog, insertExperimentRuns, runAttempts, runs } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

let t: TestDatabase;
beforeAll(async () => {
  t = await postgresBackend.create();
  const db = t.store.db;
  await insertExperimentRuns(
    db,
    { id: 'exits-1', name: 'exits', spec: {}, taskFamily: 'custom', policy: 'auto' },
    [{ id: 'exits-1/0', experimentId: 'exits-1', trial: 0, config: {}, budgetTokens: 100 }],
  );
  const reason =
    'the program exited with code 1; its last lines:\nreading config\nno data at /data/train.jsonl';
  await db
    .update(runs)
    .set({ status: 'failed', attempts: 2, error: `gave up after 2 attempts (last: ${reason})` })
    .where(eq(runs.id, 'exits-1/0'));
  await db.insert(runAttempts).values([
    { runId: 'exits-1/0', attempt: 1, workerId: 'box:11', outcome: 'requeued', error: reason },
    { runId: 'exits-1/0', attempt: 2, workerId: 'box:12', outcome: 'failed', error: reason },
  ]);
  for (const attempt of [1, 2])
    await appendRunLog(db, {
      runId: 'exits-1/0',
      attempt,
      text: 'reading config\nno data at /data/train.jsonl\n',
    });
}, 60_000);
afterAll(async () => t?.cleanup());

describe('curfew logs', () => {
  it("prints the run's reason, then each attempt's output", async () => {
    const result = await runCli(['logs', 'exits-1/0'], { env: { DATABASE_URL: t.databaseUrl } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'run exits-1/0: failed: gave up after 2 attempts (last: the program exited with code 1; its last lines:',
    );
    expect(result.stdout).toContain(
      '== attempt 1 (box:11, requeued: the program exited with code 1; its last lines:)\nreading config\nno data at /data/train.jsonl\n',
    );
    expect(result.stdout).toContain('== attempt 2 (box:12, failed:');
  });

  it('names a run that does not exist, and a malformed one, in one line', async () => {
    const missing = await runCli(['logs', 'exits-1/7'], { env: { DATABASE_URL: t.databaseUrl } });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('curfew logs: run exits-1/7 does not exist');
    const bad = await runCli(['logs', 'exits-1'], { env: { DATABASE_URL: t.databaseUrl } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^curfew logs: name one run as EXPERIMENT\/TRIAL/);
  });
});
