import { createQueue, QUEUE_NAMES } from '@curfew/queue';
import {
  closeExperimentIfEnded,
  experimentsWithStatus,
  FINAL_RUN_STATUSES,
  runs,
  type StoreDatabase,
} from '@curfew/store';
import { type ConnectionOptions, Worker } from 'bullmq';
import { inArray, sql } from 'drizzle-orm';
import { dispatchRuns } from './dispatch-runs';
import { type BudgetOf, expandExperiment, type Predictor } from './expand-experiment';

export interface SchedulerOptions {
  db: StoreDatabase;
  connection: ConnectionOptions;
  queuePrefix: string;
  budgetOf: BudgetOf;
  predict?: Predictor;
  /** Refits the meta-learner from history; called after runs end. */
  refit?: (db: StoreDatabase) => Promise<void>;
  /** How often the database is scanned for work. @defaultValue 1000 */
  pollMs?: number;
  log?: (line: string) => void;
}

export interface SchedulerHandle {
  /** Runs one pass now (expand, dispatch, close); resolves when it is done. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The scheduler: expands submitted experiments into runs (with predictions), keeps each
 * experiment's `max_parallel` runs in flight, refits the meta-learner when runs end, and closes
 * experiments whose runs have all ended. The database is the source of truth, so a restarted
 * scheduler picks up where it was; the experiments queue only wakes it early.
 */
export function startScheduler(options: SchedulerOptions): SchedulerHandle {
  const { db, log = () => undefined } = options;
  const runsQueue = createQueue(QUEUE_NAMES.runs, options.connection, options.queuePrefix);
  let finishedSeen = -1;
  let running: Promise<void> | null = null;
  let closed = false;

  const pass = async () => {
    for (const experiment of await experimentsWithStatus(db, ['pending'])) {
      const n = await expandExperiment(db, experiment.id, {
        budgetOf: options.budgetOf,
        predict: options.predict,
      });
      log(`experiment ${experiment.id}: ${n} runs`);
    }
    for (const experiment of await experimentsWithStatus(db, ['running'])) {
      await dispatchRuns(db, runsQueue, experiment);
      const totals = await closeExperimentIfEnded(db, experiment.id);
      if (totals)
        log(
          `experiment ${experiment.id}: done, ${totals.tokensUsed} of ${totals.budgetTokens} tokens, best EM ${totals.bestEm ?? '-'} (${totals.bestRunId ?? '-'})`,
        );
    }
    const finished = await countFinishedRuns(db);
    if (options.refit && finished !== finishedSeen) {
      finishedSeen = finished;
      if (finished > 0) await options.refit(db);
    }
  };

  const tick = () => {
    running ??= pass()
      .catch((error: unknown) =>
        log(`curfew scheduler: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void tick(), options.pollMs ?? 1_000);
  const waker = new Worker(QUEUE_NAMES.experiments, async () => tick(), {
    connection: options.connection,
    prefix: options.queuePrefix,
  });
  waker.on('error', () => undefined);
  void tick();

  return {
    tick,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await running;
      await waker.close();
      await runsQueue.close();
    },
  };
}

async function countFinishedRuns(db: StoreDatabase): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(runs)
    .where(inArray(runs.status, [...FINAL_RUN_STATUSES]));
  return row?.n ?? 0;
}
