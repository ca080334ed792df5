import { enqueueJob } from '@curfew/queue';
import { ExperimentSpec } from '@curfew/spec';
import { type Experiment, predictedOutcomes, runsOf, type StoreDatabase } from '@curfew/store';
import type { Queue } from 'bullmq';
import { byPromise, outcomeModeOf, promise } from './dispatch-order';
import { LIVE_TYPES } from './reconcile-runs';

/**
 * Keeps up to `max_parallel` runs of an experiment in flight (running, or enqueued and waiting),
 * enqueuing queued runs with the experiment's priority, the most promising first: by the outcome
 * the meta-learner predicted for each run when the experiment was expanded, its rank among its
 * task's runs (or its value, by the mode, from a version without an outcome model); trial order
 * where there is no prediction, i.e. no history yet. Enqueued in that order with one priority, the
 * runs are also taken in that order (BullMQ is first in, first out within a priority), which
 * gives successive halving a strong early bar. The job id is the run id,
 * so enqueuing a run twice (two schedulers, a restart) adds it once. A queued run counts as in
 * flight when the queue lists its job as live; one whose job ended without starting the run was
 * cleared by `reconcileRuns` just before, and one that ends in between is added once at most
 * (BullMQ ignores an add of an id it holds), so this costs one Redis call however many runs wait.
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
  // One listing of the queue's live job ids (one Redis call, atomic), not a getJob per queued run.
  const live =
    queued.length === 0 ? new Set<string>() : new Set(await queue.getRanges([...LIVE_TYPES], 0, -1));
  for (const run of queued) {
    if (live.has(run.id)) inFlight += 1;
    else pending.push(run);
  }
  const room = Math.max(0, (experiment.maxParallel ?? Number.POSITIVE_INFINITY) - inFlight);
  if (room === 0 || pending.length === 0) return 0;
  const spec = ExperimentSpec.parse(experiment.spec);
  const score = promise(await predictedOutcomes(db, experiment.id), outcomeModeOf(spec.policy));
  const next = byPromise(pending, score).slice(0, room);
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
    const promising = score.get(run.id);
    log(`run ${run.id}: enqueued${promising === undefined ? '' : ` (promise ${promising.toPrecision(3)})`}`);
  }
  return next.length;
}
