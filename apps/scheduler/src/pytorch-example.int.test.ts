import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRedis, DEFAULT_REDIS_URL } from '@curfew/queue';
import { type ExperimentSpec, experimentRecord, loadSpecFile } from '@curfew/spec';
import { getExperiment, runsOf, submitExperiment } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportApiServer, startReportApiServer } from './report-api-server';
import { type SchedulerHandle, startScheduler } from './scheduler';

/** Debian's torch is for the system Python. */
const PYTHON = '/usr/bin/python3';
const EXAMPLE = fileURLToPath(new URL('../../../examples/pytorch/', import.meta.url));

/**
 * Installs torch when it is missing with the example's own setup.sh (Debian's python3-torch, as
 * root, like the services and the browser the other tests need), else fails in one line.
 */
function ensureTorch(): void {
  if (spawnSync(PYTHON, ['-c', 'import torch']).status === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `the PyTorch example test needs torch for ${PYTHON}: run examples/pytorch/setup.sh as root`,
    );
  const setup = spawnSync('sh', [`${EXAMPLE}setup.sh`], { stdio: 'inherit' });
  if (setup.status !== 0) throw new Error(`examples/pytorch/setup.sh failed (exit ${setup.status})`);
}
const TOKEN = randomBytes(24).toString('hex');
const redis = createRedis(process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL, { blocking: true });

let database: TestDatabase;
let scheduler: SchedulerHandle;
let api: ReportApiServer;
beforeAll(async () => {
  ensureTorch();
  database = await postgresBackend.create();
  scheduler = startScheduler({
    db: database.store.db,
    connection: redis,
    queuePrefix: `{test-${randomUUID()}}`,
    budgetOf: (spec) => spec.budget?.max_tokens_per_run ?? 0,
    pollMs: 500,
  });
  api = await startReportApiServer({
    service: scheduler.service,
    db: database.store.db,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
  });
}, 900_000);
afterAll(async () => {
  await api?.close();
  await scheduler?.close();
  await database?.cleanup();
});

async function trainSweep(spec: ExperimentSpec) {
  const db = database.store.db;
  const id = await submitExperiment(db, experimentRecord(spec));
  await scheduler.tick();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(PYTHON, ['train.py', '--experiment', id, '--api', api.url], {
      cwd: EXAMPLE,
      env: { PATH: process.env.PATH ?? '', CURFEW_API_TOKEN: TOKEN },
    });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`train.py exited ${code}:\n${text}`)),
    );
  });
  await scheduler.tick();
  return { id, output, runs: await runsOf(db, id), status: (await getExperiment(db, id)).status };
}

describe('the PyTorch example (examples/pytorch)', () => {
  it('trains a 4-run sweep under auto through the report API, beside the same sweep at full budget', async () => {
    const loaded = await loadSpecFile(`${EXAMPLE}sort-torch.yaml`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const auto = await trainSweep(loaded.spec);
    const full = await trainSweep({ ...loaded.spec, name: 'sort-torch-full', policy: { name: 'none' } });
    for (const sweep of [auto, full]) {
      expect(sweep.status).toBe('done');
      expect(sweep.runs).toHaveLength(4);
      for (const run of sweep.runs) expect(run.deployedEm).not.toBeNull();
    }
    const used = auto.runs.reduce((s, r) => s + r.tokensUsed, 0);
    const budget = auto.runs.reduce((s, r) => s + (r.budgetTokens ?? 0), 0);
    const lossOf = (trial: number) =>
      (full.runs[trial]?.deployedEm ?? 0) - (auto.runs[trial]?.deployedEm ?? 0);
    const bestAuto = Math.max(...auto.runs.map((r) => r.deployedEm ?? 0));
    const bestFull = Math.max(...full.runs.map((r) => r.deployedEm ?? 0));
    // The closing note's numbers: measured here, side by side.
    console.log(
      `pytorch sort sweep: tokens saved ${(1 - used / budget).toFixed(3)}; ` +
        `deployed EM auto ${auto.runs.map((r) => r.deployedEm?.toFixed(3)).join(' ')} ` +
        `vs full ${full.runs.map((r) => r.deployedEm?.toFixed(3)).join(' ')}; ` +
        `stop reasons ${auto.runs.map((r) => r.stopReason).join(' ')}; ` +
        `best EM auto ${bestAuto.toFixed(3)} vs full ${bestFull.toFixed(3)}; ` +
        `mean ΔEM ${([0, 1, 2, 3].reduce((s, t) => s + lossOf(t), 0) / 4).toFixed(4)}`,
    );
    expect(used).toBeLessThan(budget);
    expect(full.runs.every((r) => r.status === 'completed' && r.tokensUsed === r.budgetTokens)).toBe(true);
  }, 600_000);
});
