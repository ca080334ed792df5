import type { DecisionService } from '@curfew/decisions';
import { isFinal, type Run, runsOf, type StoreDatabase } from '@curfew/store';
import type { Job, Queue } from 'bullmq';

export interface ReconcileOptions {
  service: DecisionService;
  log: (line: string) => void;
}

/** BullMQ job types (as `Queue.getRanges` names them) in which a job waits for a worker. */
const WAITING_TYPES = ['waiting', 'prioritized', 'delayed', 'waiting-children'] as const;
/** The job types of a job a worker holds or will take. */
export const LIVE_TYPES = ['active', ...WAITING_TYPES] as const;
/** Job states in which a worker holds the run or will take it. */
const LIVE = new Set<string>(LIVE_TYPES);
/** Job states still waiting for a worker (not yet taken). */
const WAITING = new Set<string>(WAITING_TYPES);

/**
 * Makes the queue agree with the database for one experiment's runs, whatever crashed:
 * - a running run whose job is gone (a Redis restart), failed (stalled too often) or completed
 *   without ending the run: its attempt is abandoned (back to the queue, or cancelled, or failed
 *   out of attempts) and the dead job removed, so `dispatchRuns` enqueues the run again;
 * - a queued run with a failed or completed job: the job is removed for the same reason;
 * - an ended run (cancelled, say) with a job still waiting: the job is removed.
 * The queue's job ids by state are read first (three Redis calls, whatever the number of runs),
 * and only a run they do not show in order is looked at job by job, as before, so it runs every
 * poll without a Redis round trip per run. Returns how many runs or jobs it repaired.
 */
export async function reconcileRuns(
  db: StoreDatabase,
  queue: Queue,
  experimentId: string,
  options: ReconcileOptions,
): Promise<number> {
  const ids = async (types: Parameters<Queue['getRanges']>[0]) =>
    new Set(await queue.getRanges(types, 0, -1));
  const seen = {
    active: await ids(['active']),
    waiting: await ids([...WAITING_TYPES]),
    ended: await ids(['completed', 'failed']),
  };
  let repaired = 0;
  for (const run of await runsOf(db, experimentId)) {
    if (!mayNeedRepair(run, seen)) continue;
    const job = await queue.getJob(run.id);
    const state = job ? await job.getState() : 'missing';
    if (await repair(run, job, state, options)) repaired += 1;
  }
  return repaired;
}

/**
 * Whether the run's job, as the queue's listings show it, may need a repair (then it is looked at
 * on its own). A job moving between states while they are read can be missed by all three: a
 * running run is then looked at anyway, and anything else is seen at the next poll.
 */
function mayNeedRepair(run: Run, seen: Record<'active' | 'waiting' | 'ended', Set<string>>): boolean {
  if (isFinal(run.status)) return seen.waiting.has(run.id);
  if (seen.active.has(run.id) || seen.waiting.has(run.id)) return false;
  return run.status === 'running' || seen.ended.has(run.id);
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
