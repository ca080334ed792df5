import { is, type SQL, sql } from 'drizzle-orm';
import { NodePgTransaction } from 'drizzle-orm/node-postgres';
import type { StoreDatabase } from './database.js';
import type { SeqWindow } from './decision-log.js';
import { DEFER_COMMIT } from './deferred-flush.js';
import { RunNotFoundError } from './errors.js';
import { type ExperimentLock, lockExperimentOfRun } from './experiment-lock.js';
import type { Eval } from './schema/evals.js';
import type { RunStatus } from './schema/runs.js';

/** A live eval added in a window: what an experiment's state in memory keeps of it. */
export type EvalEvent = Pick<
  Eval,
  'runId' | 'step' | 'tokens' | 'seq' | 'em' | 'valLoss' | 'perplexity' | 'trainLoss' | 'metrics'
>;

/** The events of a window of an experiment: evals added, evals discarded, runs ended. */
export interface ExperimentEvents {
  added: EvalEvent[];
  /** In the order they were discarded; `seq` is the discarded eval's own sequence number. */
  discarded: { runId: string; step: number; seq: number | null }[];
  ended: string[];
}

/**
 * What fences a run's next report, as committed now: a report decided from a reading taken
 * before the experiment's lock stands only if this is unchanged once the lock is held.
 */
export interface RunFence {
  status: RunStatus;
  attempts: number;
  cancelRequestedSeq: number | null;
  /** Sequence number of the run's latest decision that stands (null: none). */
  latestLiveSeq: number | null;
}

interface EventRow {
  k: number;
  run_id: string;
  step: number | null;
  tokens: number | null;
  seq: number | null;
  em: number | null;
  val_loss: number | null;
  perplexity: number | null;
  train_loss: number | null;
  metrics: Record<string, number> | null;
  status: string | null;
  o: number | null;
}

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * `liveEvalsIn`, `discardsIn` and `endsIn` in one query (one round trip instead of three; the
 * decision service asks it under the experiment's lock), and, given `fenceOf`, that run's fence.
 * Numbers come back as float8: exact for every sequence number and token count below 2^53.
 */
export async function experimentEventsIn(
  db: StoreDatabase,
  experimentId: string,
  w: SeqWindow,
  fenceOf?: string,
): Promise<ExperimentEvents & { fence: RunFence | null }> {
  const value = (x: string | number) => sql`${x}`;
  const query = eventsQuery(value, experimentId, w.after, value(w.upTo), fenceOf);
  return eventsOf((await db.execute(query)) as unknown as { rows: EventRow[] });
}

/**
 * Takes the lock of the run's experiment (as `lockExperimentOfRun`) and reads the experiment's
 * events after `after` up to the lock's own sequence number, with the run's fence, in one round
 * trip on Postgres: two statements sent as one simple query, the second of which sees, with the
 * snapshot it takes once the lock is held, every event below the lock's. Every value they hold is
 * an id or a whole number, inlined as a literal (a simple query takes no parameters). PGlite,
 * one connection in one process, runs them one after the other.
 */
export async function lockExperimentOfRunWithEvents(
  tx: StoreDatabase,
  runId: string,
  experimentId: string,
  after: number,
  options: {
    /** First make this transaction's commit not wait for the disk (`commitFlush`), in the same round trip. */
    deferCommit?: boolean;
  } = {},
): Promise<{ lock: ExperimentLock; events: ExperimentEvents; fence: RunFence | null }> {
  const upTo = sql`(select event_seq - 1 from experiments where id = ${sql.raw(literal(experimentId))})`;
  if (!is(tx, NodePgTransaction)) {
    // PGlite: one connection in one process, whose commits are not deferred.
    const lock = await lockExperimentOfRun(tx, runId);
    const query = eventsQuery((x) => sql`${x}`, experimentId, after, upTo, runId);
    const { fence, ...events } = eventsOf((await tx.execute(query)) as unknown as { rows: EventRow[] });
    return { lock, events, fence };
  }
  const lockQuery = sql.raw(
    `update experiments set event_seq = event_seq + 1 where id = (select experiment_id from runs where id = ${literal(runId)}) returning id, event_seq::float8 as seq, status::text as status`,
  );
  const eventsSql = eventsQuery((x) => sql.raw(literal(x)), experimentId, after, upTo, runId);
  const deferred = options.deferCommit === true;
  const statements = (await tx.execute(
    deferred ? sql`${sql.raw(DEFER_COMMIT)}; ${lockQuery}; ${eventsSql}` : sql`${lockQuery}; ${eventsSql}`,
  )) as unknown as { rows: unknown[] }[];
  const results = statements.slice(deferred ? 1 : 0) as [
    { rows: { id: string; seq: number | string; status: ExperimentLock['status'] }[] },
    { rows: EventRow[] },
  ];
  const [row] = results[0].rows;
  if (!row) throw new RunNotFoundError(`run ${runId} does not exist`);
  const { fence, ...events } = eventsOf(results[1]);
  return { lock: { experimentId: row.id, seq: Number(row.seq), status: row.status }, events, fence };
}

/** A string (an id of curfew's own alphabet) or a whole number as an SQL literal. */
function literal(x: string | number): string {
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) throw new Error(`literal: ${x} is not a whole number`);
    return `(${x})`;
  }
  if (!/^[A-Za-z0-9_./:-]*$/.test(x)) throw new Error(`literal: ${JSON.stringify(x)} is not an id`);
  return `'${x}'`;
}

function eventsQuery(
  value: (x: string | number) => SQL,
  experimentId: string,
  after: number,
  upTo: SQL,
  fenceOf: string | undefined,
): SQL {
  const experiment = value(experimentId);
  const evalSeq = sql`coalesce(e.seq, 0)`;
  const ended =
    after < 0
      ? sql`((r.end_seq > ${value(after)} and r.end_seq <= ${upTo}) or (r.end_seq is null and r.status in ('stopped', 'completed', 'failed', 'cancelled')))`
      : sql`(r.end_seq > ${value(after)} and r.end_seq <= ${upTo})`;
  const parts: SQL[] = [
    sql`select 0 as k, 0::float8 as o, e.run_id, e.step, e.tokens::float8 as tokens, e.seq::float8 as seq,
          e.em, e.val_loss, e.perplexity, e.train_loss, e.metrics, null::text as status
        from evals e join runs r on r.id = e.run_id
        where r.experiment_id = ${experiment} and ${evalSeq} > ${value(after)} and ${evalSeq} <= ${upTo}`,
    sql`select 1, d.discarded_seq::float8, d.run_id, d.step, null, d.seq::float8,
          null, null, null, null, null::jsonb, null
        from discarded_evals d join runs r on r.id = d.run_id
        where r.experiment_id = ${experiment} and d.discarded_seq > ${value(after)} and d.discarded_seq <= ${upTo}`,
    sql`select 2, 0, r.id, null, null, null, null, null, null, null, null::jsonb, null
        from runs r where r.experiment_id = ${experiment} and ${ended}`,
  ];
  if (fenceOf !== undefined)
    parts.push(
      sql`select 3, r.cancel_requested_seq::float8, r.id, r.attempts, null,
            (select d.seq from decisions d where d.run_id = r.id and d.discarded_seq is null
              order by d.step desc limit 1)::float8,
            null, null, null, null, null::jsonb, r.status::text
          from runs r where r.id = ${value(fenceOf)}`,
    );
  return sql`${sql.join(parts, sql` union all `)} order by k, o, run_id, step`;
}

function eventsOf(result: { rows: EventRow[] }): ExperimentEvents & { fence: RunFence | null } {
  const events: ExperimentEvents & { fence: RunFence | null } = {
    added: [],
    discarded: [],
    ended: [],
    fence: null,
  };
  for (const row of result.rows) {
    const k = Number(row.k);
    if (k === 0)
      events.added.push({
        runId: row.run_id,
        step: Number(row.step),
        tokens: Number(row.tokens),
        seq: num(row.seq),
        em: num(row.em),
        valLoss: num(row.val_loss),
        perplexity: num(row.perplexity),
        trainLoss: num(row.train_loss),
        metrics: row.metrics,
      });
    else if (k === 1) events.discarded.push({ runId: row.run_id, step: Number(row.step), seq: num(row.seq) });
    else if (k === 2) events.ended.push(row.run_id);
    else
      events.fence = {
        status: row.status as RunStatus,
        attempts: Number(row.step),
        cancelRequestedSeq: num(row.o),
        latestLiveSeq: num(row.seq),
      };
  }
  return events;
}
