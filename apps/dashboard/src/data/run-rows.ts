import type { StoreDatabase } from '@curfew/store';
import { type SQL, sql } from 'drizzle-orm';
import { type RunRow, UNFINISHED_STATUSES } from '../shared/views';
import { idList, isoOrNull, rowsOf } from './rows';

interface RunAggregate {
  id: string;
  experiment_id: string;
  trial: number;
  status: string;
  stop_reason: string | null;
  error: string | null;
  config: Record<string, unknown>;
  backend: string | null;
  attempts: number;
  tokens_used: number;
  budget_tokens: number | null;
  best_step: number | null;
  best_tokens: number | null;
  deployed_em: number | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  evals: number;
  last_tokens: number | null;
  live_best_step: number | null;
  live_best_tokens: number | null;
  live_best_em: number | null;
  peak_tokens: number | null;
  low_tokens: number | null;
  high_tokens: number | null;
  final_em: number | null;
  meta_model_version: number | null;
  has_prediction: boolean;
}

/**
 * Runs with what their evals show so far (count, last tokens, the first eval with the best EM)
 * and their latest prediction. The best-eval lookup only runs for unfinished runs: ended ones
 * carry their summary.
 */
function runsQuery(where: SQL): SQL {
  return sql`
    select r.id, r.experiment_id, r.trial, r.status, r.stop_reason, r.error, r.config, r.backend,
      r.attempts, r.tokens_used::float8 as tokens_used, r.budget_tokens::float8 as budget_tokens,
      r.best_step, r.best_tokens::float8 as best_tokens, r.deployed_em, r.started_at, r.finished_at,
      stats.evals, stats.last_tokens,
      best.step as live_best_step, best.tokens as live_best_tokens, best.em as live_best_em,
      p.predicted_peak_tokens as peak_tokens, p.low as low_tokens, p.high as high_tokens,
      p.predicted_final_em as final_em, p.meta_model_version, (p.id is not null) as has_prediction
    from runs r
    left join lateral (
      select count(*)::int as evals, max(ev.tokens)::float8 as last_tokens from evals ev where ev.run_id = r.id
    ) stats on true
    left join lateral (
      select ev.step, ev.tokens::float8 as tokens, ev.em from evals ev
      where ev.run_id = r.id and ev.em is not null and r.status in ('queued', 'running')
      order by ev.em desc, ev.step asc limit 1
    ) best on true
    left join lateral (
      select * from predictions pr where pr.run_id = r.id order by pr.id desc limit 1
    ) p on true
    where ${where}
    order by r.trial`;
}

export type RunRecord = RunRow & {
  experimentId: string;
  startedAt: string | null;
  finishedAt: string | null;
};

function toRunRow(a: RunAggregate): RunRecord {
  const unfinished = (UNFINISHED_STATUSES as readonly string[]).includes(a.status);
  const tokensUsed = unfinished ? Math.max(a.tokens_used, a.last_tokens ?? 0) : a.tokens_used;
  const budget = a.budget_tokens;
  return {
    id: a.id,
    experimentId: a.experiment_id,
    trial: a.trial,
    status: a.status,
    unfinished,
    stopReason: a.stop_reason,
    error: a.error,
    config: a.config,
    backend: a.backend,
    attempts: a.attempts,
    tokensUsed,
    budgetTokens: budget,
    tokensSaved: !unfinished && budget !== null && budget > 0 ? 1 - tokensUsed / budget : null,
    bestStep: unfinished ? (a.live_best_step ?? a.best_step) : a.best_step,
    bestTokens: unfinished ? (a.live_best_tokens ?? a.best_tokens) : a.best_tokens,
    deployedEm: unfinished ? (a.live_best_em ?? a.deployed_em) : a.deployed_em,
    evals: a.evals,
    startedAt: isoOrNull(a.started_at),
    finishedAt: isoOrNull(a.finished_at),
    prediction: a.has_prediction
      ? {
          peakTokens: a.peak_tokens,
          lowTokens: a.low_tokens,
          highTokens: a.high_tokens,
          finalEm: a.final_em,
          metaModelVersion: a.meta_model_version,
        }
      : null,
  };
}

/** An experiment's runs in trial order (only `runIds`, when given). */
export async function runRows(
  db: StoreDatabase,
  experimentId: string,
  runIds?: readonly string[],
): Promise<RunRecord[]> {
  if (runIds?.length === 0) return [];
  const where = runIds
    ? sql`r.experiment_id = ${experimentId} and r.id in ${idList(runIds)}`
    : sql`r.experiment_id = ${experimentId}`;
  return (await rowsOf<RunAggregate>(db, runsQuery(where))).map(toRunRow);
}

/** One run, or null. */
export async function runRow(db: StoreDatabase, runId: string): Promise<RunRecord | null> {
  const [row] = await rowsOf<RunAggregate>(db, runsQuery(sql`r.id = ${runId}`));
  return row ? toRunRow(row) : null;
}
