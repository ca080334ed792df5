import { DecisionService, isTransientError } from '@curfew/decisions';
import { createQueue, QUEUE_NAMES } from '@curfew/queue';
import { closeExperimentIfEnded, experimentsWithStatus, runs, type StoreDatabase } from '@curfew/store';
import { type ConnectionOptions, Worker } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { dispatchRuns } from './dispatch-runs';
import { type BudgetOf, expandExperiment, type Predictor } from './expand-experiment';
import { externalTimeoutMs, reconcileExternalRuns } from './reconcile-external-runs';
import { reconcileRuns } from './reconcile-runs';
import { type MetaRefit, refitKnowledge } from './refit-knowledge';

export interface SchedulerOptions {
  db: StoreDatabase;
  connection: ConnectionOptions;
  queuePrefix: string;
  budgetOf: BudgetOf;
  predict?: Predictor;
  /**
   * Refits the meta-learner from history; the stop models are refitted beside it, in the same
   * transaction and with the same fit id.
   */
  refit?: MetaRefit;
  /** How often the database is scanned for work and the queue reconciled. @defaultValue 1000 */
  pollMs?: number;
  /**
   * Shortest time between two refits; a refit happens only when runs have completed since the
   * last one. @defaultValue 60000
   */
  refitIntervalMs?: number;
  /** Attempts a run gets before it fails (the workers' setting). @defaultValue 5 */
  maxAttempts?: number;
  log?: (line: string) => void;
}

export interface SchedulerHandle {
  /** The decision service of this scheduler (the report API serves it). */
  readonly service: DecisionService;
  /**
   * Runs one pass now (expand, dispatch, reconcile, close, and start a refit when one is due);
   * resolves when the pass is done, while a refit it started goes on beside the next passes.
   */
  tick(): Promise<void>;
  /** Resolves once the refit in flight, if any, has ended. */
  refitted(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The scheduler: expands submitted experiments into runs (with predictions), keeps each
 * experiment's `max_parallel` runs in flight, reconciles the queue with the database after any
 * crash, closes experiments whose runs have all ended, and refits the stop models and the
 * meta-learner on a schedule. The database is the source of truth, so a restarted scheduler (or
 * an emptied Redis) picks up where it was; the experiments queue only wakes it early.
 */
export function startScheduler(options: SchedulerOptions): SchedulerHandle {
  const { db, log = () => undefined } = options;
  const runsQueue = createQueue(QUEUE_NAMES.runs, options.connection, options.queuePrefix);
  const service = new DecisionService({ db, maxAttempts: options.maxAttempts, log });
  const refits = refitSchedule(db, options, log);
  let running: Promise<void> | null = null;
  let closed = false;

  const pass = async () => {
    const pending = await experimentsWithStatus(db, ['pending']);
    // An experiment that learns from history is expanded (predicted, and its runs pin a stop
    // model) with the newest history, whatever the schedule says.
    if (pending.some((e) => LEARNING_POLICIES.has(e.policy))) await refits.now();
    for (const experiment of pending) {
      const n = await expandExperiment(db, experiment.id, { ...options, log });
      log(`experiment ${experiment.id}: ${n === null ? 'not pending any more (cancelled?)' : `${n} runs`}`);
    }
    for (const experiment of await experimentsWithStatus(db, ['running'])) {
      const external = externalTimeoutMs(experiment.spec);
      if (external === null) {
        await reconcileRuns(db, runsQueue, experiment.id, { service, log });
        await dispatchRuns(db, runsQueue, experiment, log);
      } else await reconcileExternalRuns(db, experiment.id, { service, log, timeoutMs: external });
      const totals = await closeExperimentIfEnded(db, experiment.id);
      if (totals)
        log(
          `experiment ${experiment.id}: done, ${totals.tokensUsed} of ${totals.budgetTokens} tokens, best EM ${totals.bestEm ?? '-'} (${totals.bestRunId ?? '-'})`,
        );
    }
    refits.whenDue();
  };

  // An outage (database or Redis) is said once, and again when it is over; other errors each time.
  let outage: string | null = null;
  const tick = () => {
    running ??= pass()
      .then(() => {
        if (outage) log(`curfew scheduler: ${outage} is back`);
        outage = null;
      })
      .catch((error: unknown) => {
        const message = messageOf(error);
        if (!isTransientError(error)) return log(`curfew scheduler: ${message}; retrying`);
        if (!outage)
          log(`curfew scheduler: unavailable (${message}); retrying every ${options.pollMs ?? 1_000} ms`);
        outage = 'the database or Redis';
      })
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
  // The waker only shortens the wait for the next poll: a Redis outage is said once by the app's
  // connection handler, and the poll goes on without it.
  waker.on('error', (error) => log(`curfew scheduler: experiments queue: ${error.message}`));
  void tick();

  return {
    service,
    tick,
    refitted: refits.settled,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await running;
      await refits.settled();
      await waker.close();
      await runsQueue.close();
    },
  };
}

/** Policies whose runs decide with what history taught (stop models and the meta-learner). */
const LEARNING_POLICIES = new Set(['meta', 'auto']);

/**
 * Refits at most every `refitIntervalMs` (or `now`), and only when more runs have completed since
 * the last refit: never after every finished run. A scheduled refit runs beside the polls (on a
 * large history it takes tens of seconds, and the runs must not wait for it to be dispatched and
 * reconciled); one at a time, and `now` waits for the one in flight before it refits.
 */
function refitSchedule(db: StoreDatabase, options: SchedulerOptions, log: (line: string) => void) {
  let completedSeen = 0;
  let lastMs = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;
  const refit = async (now: boolean): Promise<void> => {
    if (!now && Date.now() - lastMs < (options.refitIntervalMs ?? 60_000)) return;
    const completed = await countCompletedRuns(db);
    if (completed === completedSeen) return;
    lastMs = Date.now();
    await refitKnowledge(db, options.refit, log);
    completedSeen = completed;
  };
  const settled = async () => {
    await inFlight?.catch(() => undefined);
  };
  return {
    /** Refits now (when runs completed since the last one), after the one in flight. */
    async now(): Promise<void> {
      await settled();
      await refit(true);
    },
    /** Starts a refit beside the polls when one is due and none is in flight. */
    whenDue(): void {
      if (inFlight) return;
      inFlight = refit(false)
        .catch((error: unknown) =>
          log(`curfew scheduler: refit: ${messageOf(error)}; trying again when the next one is due`),
        )
        .finally(() => {
          inFlight = null;
        });
    },
    settled,
  };
}

async function countCompletedRuns(db: StoreDatabase): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(runs)
    .where(eq(runs.status, 'completed'));
  return row?.n ?? 0;
}

/** The driver's message, not drizzle's "Failed query: <the whole statement>". */
function messageOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
