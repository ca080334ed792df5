import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExperimentSpec } from '@curfew/spec';
import { checkpoints, evals, experiments, runAttempts, runsOf } from '@curfew/store';
import { checkpointStep, type TrainEval } from '@curfew/trainer';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkExperiment, referenceEvals } from './fault-checks';
import { FaultCluster, type Proc, specOf } from './fault-cluster';
import { OwnPostgres, OwnRedis, waitUntil } from './servers';

/**
 * Fault tests: real scheduler and worker processes (`node` on their bins) on a Redis and a
 * PostgreSQL of the test's own, which it kills and restarts under them. Each experiment is small
 * (3 runs of a tiny MLP, 10 evals each, a second or two per run on the plain JS backend); the
 * third run learns too slowly and is stopped by the median rule, so decisions compare runs.
 */
const base = {
  name: 'faults',
  task: { family: 'reverse', params: { length: 3, vocab: 5, train_examples: 80, val_examples: 40, seed: 1 } },
  model: { family: 'mlp', params: { hidden: 32, layers: 2, batch_size: 8, seed: 3 } },
  search: { method: 'grid', space: { lr: { grid: [0.02, 0.01, 0.0003] } } },
  budget: { max_tokens_per_run: 14_400 },
  eval: { every_tokens: 1_440 },
  policy: { name: 'median', startup_runs: 1, warmup_evals: 2 },
  resources: { max_parallel: 2 },
};
const SPEC = specOf(base);
/** One run at a time: the fault lands on the run in flight. */
const SERIAL = specOf({ ...base, resources: { max_parallel: 1 } });
/** Weight decay 1000 with SGD multiplies the weights by -499 a step: that run's loss blows up. */
const DIVERGING = specOf({
  ...base,
  model: {
    family: 'mlp',
    params: { hidden: 32, layers: 2, batch_size: 8, seed: 3, optimizer: 'sgd', lr: 0.5 },
  },
  search: { method: 'grid', space: { weight_decay: { grid: [0, 1_000] } } },
});

let servers: { redis: OwnRedis; postgres: OwnPostgres };
const references = new Map<ExperimentSpec, Map<string, TrainEval[]>>();
let cluster: FaultCluster | undefined;

beforeAll(async () => {
  const [redis, postgres] = await Promise.all([OwnRedis.start(), OwnPostgres.start()]);
  servers = { redis, postgres };
  references.set(SPEC, await referenceEvals(SPEC, 'faults-1'));
  references.set(SERIAL, references.get(SPEC) as Map<string, TrainEval[]>);
  references.set(DIVERGING, await referenceEvals(DIVERGING, 'faults-1'));
}, 120_000);
afterAll(async () => {
  await servers?.redis.kill();
  await servers?.postgres.destroy();
});
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && cluster) console.error(cluster.outputs());
  await cluster?.cleanup();
  cluster = undefined;
});

async function start(
  spec: ExperimentSpec,
  workers: number,
): Promise<{ c: FaultCluster; id: string; workers: Proc[] }> {
  cluster = await FaultCluster.create(servers);
  const c = cluster;
  c.startScheduler();
  const started = Array.from({ length: workers }, () => c.startWorker());
  return { c, id: await c.submit(spec), workers: started };
}

async function closed(c: FaultCluster, id: string, timeoutMs = 150_000): Promise<void> {
  await waitUntil(
    `experiment ${id} to close`,
    async () => {
      const [row] = await c.db
        .select({ status: experiments.status })
        .from(experiments)
        .where(eq(experiments.id, id));
      return row && row.status !== 'pending' && row.status !== 'running';
    },
    timeoutMs,
  );
}

async function evalCount(c: FaultCluster, runId: string, attempt?: number): Promise<number> {
  const rows = await c.db
    .select({ step: evals.step })
    .from(evals)
    .where(and(eq(evals.runId, runId), attempt === undefined ? undefined : eq(evals.attempt, attempt)));
  return rows.length;
}

async function checkpointSteps(c: FaultCluster, runId: string, attempt: number): Promise<number[]> {
  const rows = await c.db
    .select({ step: checkpoints.step })
    .from(checkpoints)
    .where(and(eq(checkpoints.runId, runId), eq(checkpoints.attempt, attempt)));
  return rows.map((r) => r.step);
}

async function attemptsOf(c: FaultCluster, runId: string) {
  return c.db
    .select()
    .from(runAttempts)
    .where(eq(runAttempts.runId, runId))
    .orderBy(asc(runAttempts.attempt));
}

/**
 * SIGKILLs the worker holding the run's live attempt at a moment when that attempt has at least
 * two evals and a checkpoint past the step it resumed from, and the checkpoint in its folder is the
 * newest it recorded. The worker is SIGSTOPped while the test looks, so it cannot write the next
 * one between the look and the kill. Without that, a kill that lands after the worker overwrote its
 * folder with a checkpoint it had not yet recorded leaves nothing of this attempt to resume (a
 * checkpoint is adopted only at the step the database recorded it at), and the next attempt
 * rightly resumes an older attempt's checkpoint: under load, this test failed that way.
 */
async function killAtRecordedCheckpoint(c: FaultCluster, runId: string, attempt: number): Promise<void> {
  const folder = path.join(c.artifactsDir, ...runId.split('/'), `attempt-${attempt}`);
  let stopped: Proc | undefined;
  await waitUntil(
    `attempt ${attempt} of ${runId} at a recorded checkpoint of its own`,
    async () => {
      const live = (await attemptsOf(c, runId)).find((a) => a.outcome === null);
      if (live?.attempt !== attempt || (await evalCount(c, runId, attempt)) < 2) return false;
      const proc = await holder(c, runId);
      proc.child.kill('SIGSTOP');
      const recorded = Math.max(-1, ...(await checkpointSteps(c, runId, attempt)));
      if (recorded > (live.resumedFromStep ?? 0) && (await checkpointStep(folder)) === recorded) {
        stopped = proc;
        return true;
      }
      proc.child.kill('SIGCONT');
      return false;
    },
    60_000,
  );
  await stopped?.kill();
}

/** The worker process holding the run's live attempt. */
async function holder(c: FaultCluster, runId: string): Promise<Proc> {
  const live = (await attemptsOf(c, runId)).find((a) => a.outcome === null);
  const pid = Number(live?.workerId.split(':').at(-1));
  const proc = c.procs.find((p) => p.child.pid === pid);
  if (!proc) throw new Error(`no process holds run ${runId}`);
  return proc;
}

describe('whatever crashes, every run ends once with its evals and the decision log replays', () => {
  it('a worker SIGKILLed mid-run twice on the same run: later attempts resume its checkpoints', async () => {
    const { c, id } = await start(SERIAL, 1);
    const runId = `${id}/0`;
    await killAtRecordedCheckpoint(c, runId, 1);
    c.startWorker();
    await killAtRecordedCheckpoint(c, runId, 2);
    c.startWorker();
    await closed(c, id);
    const attempts = await attemptsOf(c, runId);
    expect(attempts.map((a) => a.outcome)).toEqual(['superseded', 'superseded', 'completed']);
    expect(attempts[1]?.resumedFromStep).toBeGreaterThan(0);
    expect(attempts[2]?.resumedFromStep).toBeGreaterThan(attempts[1]?.resumedFromStep ?? 0);
    await checkExperiment(c.db, id, references.get(SERIAL) as Map<string, TrainEval[]>);
  }, 180_000);

  it('Redis restarted mid-experiment (empty): the reconciler re-enqueues the running runs from the database', async () => {
    const { c, id } = await start(SPEC, 2);
    await waitUntil(
      'evals of two runs',
      async () => (await evalCount(c, `${id}/0`)) >= 2 && (await evalCount(c, `${id}/1`)) >= 1,
      60_000,
    );
    await c.servers.redis.kill();
    await c.servers.redis.restart();
    await closed(c, id);
    const attempts = (await Promise.all([0, 1, 2].map((t) => attemptsOf(c, `${id}/${t}`)))).flat();
    expect(attempts.filter((a) => a.outcome === 'abandoned').length).toBeGreaterThan(0);
    await checkExperiment(c.db, id, references.get(SPEC) as Map<string, TrainEval[]>);
  }, 180_000);

  it('PostgreSQL stopped for 15 s: requests wait it out, no attempt fails', async () => {
    const { c, id } = await start(SPEC, 2);
    await waitUntil('two evals', async () => (await evalCount(c, `${id}/0`)) >= 2, 60_000);
    await c.servers.postgres.stop();
    // The fault itself: the database is away for 15 s.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    await c.servers.postgres.resume();
    await closed(c, id);
    const runs = await runsOf(c.db, id);
    expect(runs.map((r) => r.status)).not.toContain('failed');
    // The outage cost no attempt: none failed or went back to the queue (a worker whose lock
    // lapsed on a loaded machine may still be superseded, which is not the outage's doing).
    const outcomes = (await Promise.all(runs.map((r) => attemptsOf(c, r.id)))).flat().map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'failed' || o === 'requeued')).toEqual([]);
    await checkExperiment(c.db, id, references.get(SPEC) as Map<string, TrainEval[]>);
  }, 180_000);

  it('PostgreSQL crashed mid-experiment, twice: no decision a worker was answered is lost', async () => {
    const { c, id } = await start(SPEC, 2);
    // Commits leave the experiment's lock before they are on disk and are answered once they
    // are (commitFlush in @curfew/store): a crash loses only commits no worker was answered for.
    for (const evalsBefore of [2, 6]) {
      await waitUntil(
        `${evalsBefore} evals`,
        async () => (await evalCount(c, `${id}/0`)) >= evalsBefore,
        60_000,
      );
      await c.servers.postgres.crash();
      await c.servers.postgres.resume();
    }
    await closed(c, id);
    expect((await runsOf(c.db, id)).map((r) => r.status)).not.toContain('failed');
    await checkExperiment(c.db, id, references.get(SPEC) as Map<string, TrainEval[]>);
  }, 180_000);

  it('the scheduler SIGKILLed during expansion, then during dispatch: nothing half-done, nothing twice', async () => {
    cluster = await FaultCluster.create(servers);
    const c = cluster;
    c.startWorker();
    c.startWorker();
    const id = await c.submit(SPEC);
    // Hold the experiment's row lock, so the scheduler's expansion blocks inside its transaction.
    let release = () => undefined as void;
    const held = c.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from experiments where id = ${id} for update`);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const first = c.startScheduler();
    await first.waitFor(/expanding into 3 runs/, 60_000);
    await waitUntil(
      'the expansion to wait on the lock',
      async () => {
        const waiting = sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'`;
        const { rows } = (await c.db.execute(waiting)) as unknown as { rows: { n: number }[] };
        return (rows[0]?.n ?? 0) > 0;
      },
      30_000,
    );
    await first.kill();
    release();
    await held;
    expect((await runsOf(c.db, id)).length).toBe(0);
    const second = c.startScheduler();
    await second.waitFor(/run faults-1\/\d: enqueued/, 60_000);
    await second.kill();
    c.startScheduler();
    await closed(c, id);
    // Expanded once: three runs, not six.
    expect((await runsOf(c.db, id)).map((r) => r.trial)).toEqual([0, 1, 2]);
    await checkExperiment(c.db, id, references.get(SPEC) as Map<string, TrainEval[]>);
  }, 180_000);

  it('one run handed to two workers at once (a stalled lock): the older attempt is fenced off', async () => {
    const { c, id } = await start(SERIAL, 2);
    const runId = `${id}/0`;
    await waitUntil('two evals', async () => (await evalCount(c, runId, 1)) >= 2, 60_000);
    const first = await holder(c, runId);
    // Frozen past its lock: BullMQ hands the job to the other worker, then the first one wakes up.
    first.child.kill('SIGSTOP');
    // Frozen mid-transaction, it holds the experiment's row lock until the server ends its session
    // (idle in transaction for 30 s): the second attempt may have to wait that out.
    await waitUntil('the second attempt to report', async () => (await evalCount(c, runId, 2)) >= 1, 120_000);
    first.child.kill('SIGCONT');
    await first.waitFor(
      /run faults-1\/0: attempt 1 stops: run faults-1\/0: attempt 1 was superseded by attempt 2/,
      60_000,
    );
    await closed(c, id);
    expect((await attemptsOf(c, runId)).map((a) => a.outcome)).toEqual(['superseded', 'completed']);
    // Each attempt wrote its own folder: the second deleted nothing of the first's.
    expect(existsSync(path.join(c.artifactsDir, 'faults-1', '0', 'attempt-1', 'latest.json'))).toBe(true);
    await checkExperiment(c.db, id, references.get(SERIAL) as Map<string, TrainEval[]>);
  }, 300_000);

  it('a diverging run stops with reason diverged, once, and is not retried', async () => {
    const { c, id } = await start(DIVERGING, 2);
    await closed(c, id);
    const runs = await runsOf(c.db, id);
    expect(runs[1]).toMatchObject({ status: 'stopped', stopReason: 'diverged', attempts: 1 });
    expect(runs[0]?.status).toBe('completed');
    await checkExperiment(c.db, id, references.get(DIVERGING) as Map<string, TrainEval[]>);
  }, 180_000);

  it('an unwritable artifacts folder fails each run once with the reason, and the experiment closes', async () => {
    cluster = await FaultCluster.create(servers);
    const c = cluster;
    // The experiment's folder is a file: nothing can be written under it.
    await writeFile(path.join(c.artifactsDir, 'faults-1'), 'not a folder');
    c.startScheduler();
    c.startWorker();
    const id = await c.submit(SPEC);
    await closed(c, id);
    const runs = await runsOf(c.db, id);
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'failed', attempts: 1 });
      expect(run.error).toMatch(/^artifacts folder .*attempt-1 cannot be written \((ENOTDIR|EEXIST)/);
    }
    await checkExperiment(c.db, id, references.get(SPEC) as Map<string, TrainEval[]>, {
      status: 'failed',
      runStatus: 'failed',
    });
  }, 180_000);
});
