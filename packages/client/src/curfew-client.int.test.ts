import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReportApi, DecisionService } from '@curfew/decisions';
import { expandSearch, parseSpec } from '@curfew/spec';
import { insertExperimentRuns, readRun } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurfewClient } from './curfew-client';

const TOKEN = randomBytes(24).toString('hex');
let database: TestDatabase;
let server: Server;
let url: string;

beforeAll(async () => {
  database = await postgresBackend.create();
  const result = parseSpec(
    JSON.stringify({
      name: 'ts-client',
      task: { family: 'custom', name: 'curve' },
      trainer: { external: true },
      search: { method: 'grid', space: { lr: { grid: [0.1] } } },
      budget: { max_tokens_per_run: 100_000 },
      policy: { name: 'patience', patience: 2 },
    }),
    { filename: 'spec.json' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const spec = result.spec;
  await insertExperimentRuns(
    database.store.db,
    {
      id: 'ts-client-1',
      name: spec.name,
      spec: spec as unknown as Record<string, unknown>,
      taskFamily: 'custom',
      policy: 'patience',
    },
    expandSearch(spec).map((c) => ({
      id: `ts-client-1/${c.trial}`,
      experimentId: 'ts-client-1',
      trial: c.trial,
      config: c.params,
      budgetTokens: 100_000,
    })),
  );
  const service = new DecisionService({ db: database.store.db });
  server = createServer(createReportApi({ service, db: database.store.db, token: TOKEN }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await database?.cleanup();
});

describe('CurfewClient', () => {
  it('takes a run, reports a plateauing curve until curfew stops it, and finishes it', async () => {
    const client = new CurfewClient({ url, token: TOKEN, worker: 'test' });
    const run = await client.takeRun('ts-client-1');
    if (!run) throw new Error('no run to take');
    expect(run).toMatchObject({
      runId: 'ts-client-1/0',
      attempt: 1,
      params: { lr: 0.1 },
      budgetTokens: 100_000,
    });
    const ems = [0.2, 0.4, 0.5, 0.5, 0.49, 0.48, 0.5, 0.5];
    let step = 0;
    for (const em of ems) {
      step += 1;
      await run.report({ step, tokens: step * 10_000, metrics: { em, loss: 1 - em } });
      if (run.shouldStop) break;
    }
    expect(run.decision).toMatchObject({ kind: 'stop' });
    expect(step).toBe(5);
    expect(await run.finish()).toMatchObject({ status: 'stopped', deployed_em: 0.5 });
    expect(await readRun(database.store.db, run.runId)).toMatchObject({
      status: 'stopped',
      tokensUsed: 50_000,
      bestStep: 3,
    });
    expect(await client.takeRun('ts-client-1')).toBeNull();
  });

  it('says what was refused, with the HTTP status', async () => {
    await expect(
      new CurfewClient({ url, token: 'wrong-token-of-length' }).experiment('ts-client-1'),
    ).rejects.toMatchObject({
      name: 'CurfewApiError',
      status: 401,
    });
    await expect(new CurfewClient({ url, token: TOKEN }).experiment('nope-1')).rejects.toMatchObject({
      status: 404,
      message: 'curfew API (404): experiment nope-1 does not exist (curfew status lists them)',
    });
    await expect(
      new CurfewClient({ url: 'http://127.0.0.1:9', token: TOKEN }).experiment('x-1'),
    ).rejects.toMatchObject({
      status: 0,
    });
  });
});
