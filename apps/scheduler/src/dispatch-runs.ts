import { enqueueJob } from '@curfew/queue';
import { ExperimentSpec } from '@curfew/spec';
import { type Experiment, runsOf, type StoreDatabase } from '@curfew/store';
import type { Queue } from 'bullmq';

/**
 * Keeps up to `max_parallel` runs of an experiment in flight (running, or enqueued and waiting),
 * enqueuing queued runs in trial order with the experiment's priority. The job id is the run id,
 * so enqueuing a run twice (two schedulers, a restart) adds it once.
 */
export async function dispatchRuns(
  db: StoreDatabase,
  queue: Queue,
  experiment: Experiment,
  log: (line: string) => void = () => undefined,
): Promise<number> {
  const all = await runsOf(db, experiment.id);
  const queued = all.filter((r) => r.status === 'queued');
  let inFlight = all.filter((r) => r.status === 'running').length;
  const pending = [];
  for (const run of queued) {
    if (await queue.getJob(run.id)) inFlight += 1;
    else pending.push(run);
  }
  const room = Math.max(0, (experiment.maxParallel ?? Number.POSITIVE_INFINITY) - inFlight);
  const spec = ExperimentSpec.parse(experiment.spec);
  const next = pending.slice(0, room);
  for (const run of next) {
    await enqueueJob(
      queue,
      'train-run',
      {
        runId: run.id,
        experimentId: experiment.id,
        trial: run.trial,
        spec,
        params: run.config as Record<string, number | string | boolean>,
      },
      { jobId: run.id, priority: experiment.priority },
    );
    log(`run ${run.id}: enqueued`);
  }
  return next.length;
}
