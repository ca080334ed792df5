import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitForStdout } from '../test/run-cli';

let database: TestDatabase | undefined;
let home = '';
let prefix = '';
afterEach(async () => {
  const redis = createRedis(DEFAULT_REDIS_URL, { blocking: false });
  for (const name of [QUEUE_NAMES.runs, QUEUE_NAMES.experiments]) {
    const queue = createQueue(name, redis, prefix);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  redis.disconnect();
  await database?.cleanup();
  database = undefined;
  if (home) await rm(home, { recursive: true, force: true });
});

const tinySpec = (name: string, budget: number) => ({
  name,
  task: { family: 'reverse', params: { length: 3, vocab: 5, train_examples: 80, val_examples: 40 } },
  model: { family: 'mlp', params: { hidden: 16, layers: 1, lr: 0.02, batch_size: 8 } },
  search: { method: 'grid', space: { lr: { grid: [0.01, 0.02] } } },
  budget: { max_tokens_per_run: budget },
  eval: { every_tokens: 960 },
  policy: { name: 'none' },
  resources: { max_parallel: 2 },
});

async function setUp() {
  database = await postgresBackend.create();
  home = await mkdtemp(path.join(tmpdir(), 'curfew-home-'));
  prefix = `{test-${randomUUID()}}`;
  const env = {
    DATABASE_URL: database.databaseUrl,
    CURFEW_HOME: home,
    CURFEW_QUEUE_PREFIX: prefix,
    CURFEW_BACKEND: 'cpu',
  };
  const write = async (name: string, spec: unknown) => {
    const file = path.join(home, name);
    await writeFile(file, JSON.stringify(spec));
    return file;
  };
  return { env, write };
}

describe('a local cluster (curfew up) with submit, status, runs and cancel', () => {
  it('trains a submitted experiment to the end and shows it everywhere', async () => {
    const { env, write } = await setUp();
    const up = startCli(['up', '--workers', '1'], { env });
    try {
      await waitForStdout(up, (out) => out.includes('curfew up: running'), 120_000);
      expect(existsSync(path.join(home, 'cluster.json'))).toBe(true);
      const bad = await runCli(
        ['submit', await write('bad.json', { name: 'bad', task: { family: 'add' } })],
        { env },
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('model');

      const submitted = await runCli(
        ['submit', await write('tiny.json', tinySpec('tiny', 9_600)), '--wait'],
        { env },
      );
      expect(submitted.stderr).toBe('');
      expect(submitted.code).toBe(0);
      expect(submitted.stdout).toContain('submitted tiny-1: 2 runs');
      expect(submitted.stdout).toMatch(/tiny-1: done; 19200 of 19200 tokens/);

      const status = await runCli(['status'], { env });
      expect(status.stdout).toMatch(/tiny-1\s+\|\s+done\s+\|\s+none\s+\|\s+2\/2/);
      expect(status.stdout).not.toContain('bad-');

      const curves = await runCli(['runs', '--experiment', 'tiny-1', '--export', 'curves'], { env });
      const lines = curves.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.id)).toEqual(['tiny-1/0', 'tiny-1/1']);
      expect(lines[0]).toMatchObject({ group: 'tiny-1', metric: 'em', mode: 'max', budget_tokens: 9_600 });
      expect(lines[0].evals).toHaveLength(10);
      // The export is a curve file replay reads.
      const file = await write('curves.jsonl', '');
      await writeFile(file, curves.stdout);
      const replay = await runCli(
        ['replay', '--curves', file, '--policy', 'patience', '--patience', '2', '--format', 'jsonl'],
        { env },
      );
      expect(replay.code).toBe(0);
      expect(replay.stdout.trim().split('\n')).toHaveLength(2);
    } finally {
      up.child.kill('SIGINT');
      expect((await up.done).code).toBe(0);
    }
    expect(existsSync(path.join(home, 'cluster.json'))).toBe(false);
  }, 300_000);

  it('cancels a running experiment: its runs stop and are marked cancelled', async () => {
    const { env, write } = await setUp();
    const up = startCli(['up', '--workers', '1'], { env });
    try {
      await waitForStdout(up, (out) => out.includes('curfew up: running'), 120_000);
      const submitted = await runCli(['submit', await write('long.json', tinySpec('long', 5_000_000))], {
        env,
      });
      expect(submitted.stdout).toContain('submitted long-1: 2 runs');
      await waitForStdout(up, (out) => out.includes('curfew worker: queue'), 120_000);
      const deadline = Date.now() + 120_000;
      while (!(await runCli(['runs', '--format', 'json'], { env })).stdout.includes('"running"')) {
        if (Date.now() > deadline) throw new Error('no run started');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const cancel = await runCli(['cancel', 'long-1'], { env });
      expect(cancel.stdout).toBe('long-1: cancelled 2 runs\n');
      const runs = JSON.parse(
        (await runCli(['runs', '--experiment', 'long-1', '--format', 'json'], { env })).stdout,
      );
      expect(runs.map((r: { status: string }) => r.status)).toEqual(['cancelled', 'cancelled']);
      await waitForStdout(up, (out) => /run long-1\/0: cancelled/.test(out), 120_000);
    } finally {
      up.child.kill('SIGINT');
      await up.done;
    }
  }, 300_000);

  it('restarts a worker killed with SIGKILL, counts only live workers, and stops within seconds on Ctrl-C', async () => {
    const { env, write } = await setUp();
    const up = startCli(['up', '--workers', '1'], { env });
    const clusterFile = path.join(home, 'cluster.json');
    const workerPids = async () => JSON.parse(await readFile(clusterFile, 'utf8')).workerPids as number[];
    try {
      await waitForStdout(up, (out) => out.includes('[worker 1] curfew worker: queue'), 120_000);
      // A run in progress, so that the restarted worker has one to resume.
      await runCli(['submit', await write('long.json', tinySpec('long', 5_000_000))], { env });
      const [first] = await workerPids();
      expect(first).toBeGreaterThan(0);
      process.kill(first as number, 'SIGKILL');
      await waitForStdout(
        up,
        (out) => out.includes('[worker 1] was killed by SIGKILL; restarting it in'),
        30_000,
      );
      await waitForStdout(up, (out) => out.split('[worker 1] curfew worker: queue').length === 3, 120_000);
      const [second] = await workerPids();
      expect(second).not.toBe(first);
      const status = await runCli(['status'], { env });
      expect(status.stdout).toMatch(/local cluster: pid \d+, 1 of 1 workers running/);
    } finally {
      const stopping = Date.now();
      up.child.kill('SIGINT');
      expect((await up.done).code).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(15_000);
    }
    expect(existsSync(clusterFile)).toBe(false);
  }, 300_000);

  it('runs on the embedded database with in-process workers when asked (or when there is no PostgreSQL)', async () => {
    const { env, write } = await setUp();
    const embeddedEnv = { ...env, DATABASE_URL: '' };
    const up = startCli(
      ['up', '--embedded', '--workers', '1', '--submit', await write('tiny.json', tinySpec('tiny', 4_800))],
      { env: embeddedEnv },
    );
    try {
      await waitForStdout(up, (out) => out.includes('experiment tiny-1: done'), 180_000);
      expect(up.stdout()).toMatch(/database embedded PGlite at .*\/db/);
      // Another process cannot open the database the cluster owns: it says so in one line.
      const status = await runCli(['status'], { env: embeddedEnv });
      expect(status.code).not.toBe(0);
      expect(status.stderr.trim()).toMatch(
        /^curfew: the local cluster \(curfew up, pid \d+\) owns the embedded database; /,
      );
    } finally {
      up.child.kill('SIGINT');
      expect((await up.done).code).toBe(0);
    }
    const after = await runCli(
      ['sql', "select status from experiments where id = 'tiny-1'", '--format', 'json'],
      { env: embeddedEnv },
    );
    expect(JSON.parse(after.stdout)).toEqual([{ status: 'done' }]);
  }, 300_000);
});
