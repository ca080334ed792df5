import { type SQL, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import type { SeqWindow } from './decision-log.js';
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
  const evalSeq = sql`coalesce(e.seq, 0)`;
  const ended =
    w.after < 0
      ? sql`((r.end_seq > ${w.after} and r.end_seq <= ${w.upTo}) or (r.end_seq is null and r.status in ('stopped', 'completed', 'failed', 'cancelled')))`
      : sql`(r.end_seq > ${w.after} and r.end_seq <= ${w.upTo})`;
  const parts: SQL[] = [
    sql`select 0 as k, 0::float8 as o, e.run_id, e.step, e.tokens::float8 as tokens, e.seq::float8 as seq,
          e.em, e.val_loss, e.perplexity, e.train_loss, e.metrics, null::text as status
        from evals e join runs r on r.id = e.run_id
        where r.experiment_id = ${experimentId} and ${evalSeq} > ${w.after} and ${evalSeq} <= ${w.upTo}`,
    sql`select 1, d.discarded_seq::float8, d.run_id, d.step, null, d.seq::float8,
          null, null, null, null, null::jsonb, null
        from discarded_evals d join runs r on r.id = d.run_id
        where r.experiment_id = ${experimentId} and d.discarded_seq > ${w.after} and d.discarded_seq <= ${w.upTo}`,
    sql`select 2, 0, r.id, null, null, null, null, null, null, null, null::jsonb, null
        from runs r where r.experiment_id = ${experimentId} and ${ended}`,
  ];
  if (fenceOf !== undefined)
    parts.push(
      sql`select 3, r.cancel_requested_seq::float8, r.id, r.attempts, null,
            (select d.seq from decisions d where d.run_id = r.id and d.discarded_seq is null
              order by d.step desc limit 1)::float8,
            null, null, null, null, null::jsonb, r.status::text
          from runs r where r.id = ${fenceOf}`,
    );
  const result = await db.execute(sql`${sql.join(parts, sql` union all `)} order by k, o, run_id, step`);
  const events: ExperimentEvents & { fence: RunFence | null } = {
    added: [],
    discarded: [],
    ended: [],
    fence: null,
  };
  for (const row of (result as unknown as { rows: EventRow[] }).rows) {
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
