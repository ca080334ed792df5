import type { DecisionService } from '@curfew/decisions';
import { isFinal, type Run, runsOf, type StoreDatabase } from '@curfew/store';
import type { Job, Queue } from 'bullmq';

/** Job states in which a worker holds the run or will take it. */
const LIVE = new Set(['active', 'waiting', 'prioritized', 'delayed', 'waiting-children']);
/** Job states still waiting for a worker (not yet taken). */
const WAITING = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);

export interface ReconcileOptions {
  service: DecisionService;
  log: (line: string) => void;
}

/**
 * Makes the queue agree with the database for one experiment's runs, whatever crashed:
 * - a running run whose job is gone (a Redis restart), failed (stalled too often) or completed
 *   without ending the run: its attempt is abandoned (back to the queue, or cancelled, or failed
 *   out of attempts) and the dead job removed, so `dispatchRuns` enqueues the run again;
 * - a queued run with a failed or completed job: the job is removed for the same reason;
 * - an ended run (cancelled, say) with a job still waiting: the job is removed.
 * Returns how many runs or jobs it repaired.
 */
export async function reconcileRuns(
  db: StoreDatabase,
  queue: Queue,
  experimentId: string,
  options: ReconcileOptions,
): Promise<number> {
  let repaired = 0;
  for (const run of await runsOf(db, experimentId)) {
    const job = await queue.getJob(run.id);
    const state = job ? await job.getState() : 'missing';
    if (await repair(run, job, state, options)) repaired += 1;
  }
  return repaired;
}

async function repair(
  run: Run,
  job: Job | undefined,
  state: string,
  options: ReconcileOptions,
): Promise<boolean> {
  if (isFinal(run.status)) {
    if (!job || !WAITING.has(state)) return false;
    await job.remove();
    options.log(`run ${run.id}: removed its ${state} job (the run is ${run.status})`);
    return true;
  }
  if (LIVE.has(state) || (run.status === 'queued' && !job)) return false;
  if (run.status === 'running') {
    const abandoned = await options.service.abandon({
      runId: run.id,
      attempt: run.attempts,
      reason: `its worker was lost (job ${state})`,
    });
    if (abandoned)
      options.log(`run ${run.id}: attempt ${run.attempts} lost (job ${state}); run ${abandoned.status}`);
  }
  if (job) await job.remove();
  return true;
}
