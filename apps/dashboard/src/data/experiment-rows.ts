import type { StoreDatabase } from '@curfew/store';
import { type SQL, sql } from 'drizzle-orm';
import type { ExperimentRow } from '../shared/views';
import { isoOrNull, rowsOf } from './rows';

interface Aggregate {
  id: string;
  name: string;
  status: string;
  task_family: string;
  policy: string;
  tolerance: number | null;
  created_at: Date | string;
  finished_at: Date | string | null;
  total: number;
  queued: number;
  running: number;
  stopped: number;
  completed: number;
  failed: number;
  cancelled: number;
  tokens_used: number;
  budget_tokens: number | null;
  ended_used: number | null;
  ended_budget: number | null;
  best_em: number | null;
  best_run_id: string | null;
}

/**
 * One row per experiment with its runs counted by status and their tokens and best EM. An
 * unfinished run counts what its evals show so far (its stored summary is written when it ends).
 */
function aggregate(where: SQL, limit: number): SQL {
  return sql`
    select e.id, e.name, e.status, e.task_family, e.policy, e.tolerance, e.created_at, e.finished_at,
      count(r.id)::int as total,
      count(*) filter (where r.status = 'queued')::int as queued,
      count(*) filter (where r.status = 'running')::int as running,
      count(*) filter (where r.status = 'stopped')::int as stopped,
      count(*) filter (where r.status = 'completed')::int as completed,
      count(*) filter (where r.status = 'failed')::int as failed,
      count(*) filter (where r.status = 'cancelled')::int as cancelled,
      coalesce(sum(greatest(r.tokens_used, coalesce(live.tokens, 0))), 0)::float8 as tokens_used,
      case when count(r.id) > 0 and count(r.budget_tokens) = count(r.id)
        then sum(r.budget_tokens)::float8 end as budget_tokens,
      sum(r.tokens_used) filter (where r.status not in ('queued', 'running'))::float8 as ended_used,
      sum(r.budget_tokens) filter (where r.status not in ('queued', 'running'))::float8 as ended_budget,
      max(coalesce(live.em, r.deployed_em))::float8 as best_em,
      (array_agg(r.id order by coalesce(live.em, r.deployed_em) desc nulls last,
        greatest(r.tokens_used, coalesce(live.tokens, 0)), r.trial)
        filter (where coalesce(live.em, r.deployed_em) is not null))[1] as best_run_id
    from experiments e
    left join runs r on r.experiment_id = e.id
    left join lateral (
      select max(ev.tokens) as tokens, max(ev.em) as em from evals ev
      where ev.run_id = r.id and r.status in ('queued', 'running')
    ) live on true
    where ${where}
    group by e.id
    order by e.created_at desc, e.id desc
    limit ${limit}`;
}

function toRow(a: Aggregate): ExperimentRow {
  return {
    id: a.id,
    name: a.name,
    status: a.status,
    taskFamily: a.task_family,
    policy: a.policy,
    tolerance: a.tolerance,
    createdAt: isoOrNull(a.created_at) as string,
    finishedAt: isoOrNull(a.finished_at),
    runs: {
      total: a.total,
      queued: a.queued,
      running: a.running,
      stopped: a.stopped,
      completed: a.completed,
      failed: a.failed,
      cancelled: a.cancelled,
    },
    tokensUsed: a.tokens_used,
    budgetTokens: a.budget_tokens,
    tokensSaved:
      a.ended_used !== null && a.ended_budget !== null && a.ended_budget > 0
        ? 1 - a.ended_used / a.ended_budget
        : null,
    bestEm: a.best_em,
    bestRunId: a.best_run_id,
  };
}

/** The newest experiments first, with their run counts and totals. */
export async function experimentRows(db: StoreDatabase, limit = 200): Promise<ExperimentRow[]> {
  return (await rowsOf<Aggregate>(db, aggregate(sql`true`, limit))).map(toRow);
}

/** One experiment's row, or null when there is none with this id. */
export async function experimentRow(db: StoreDatabase, id: string): Promise<ExperimentRow | null> {
  const [row] = await rowsOf<Aggregate>(db, aggregate(sql`e.id = ${id}`, 1));
  return row ? toRow(row) : null;
}
