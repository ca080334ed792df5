import type { StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import { rowsOf } from './rows';

/**
 * A short text per run of an experiment that changes whenever what the dashboard shows of it
 * does: its status and summary, whether it has a prediction, and, while it trains (and for a
 * minute after, for the evals a cancelled run still writes), its eval count and last step.
 */
export async function runSignatures(db: StoreDatabase, experimentId: string): Promise<Map<string, string>> {
  const rows = await rowsOf<{ id: string; sig: string }>(
    db,
    sql`
      select r.id, concat_ws('|', r.status, r.attempts, r.tokens_used, r.stop_reason, r.deployed_em,
        r.error is not null, s.n, s.last_step,
        exists (select 1 from predictions p where p.run_id = r.id)) as sig
      from runs r
      left join lateral (
        select count(*) as n, max(ev.step) as last_step from evals ev
        where ev.run_id = r.id
          and (r.status in ('queued', 'running') or r.finished_at > now() - interval '1 minute')
      ) s on true
      where r.experiment_id = ${experimentId}`,
  );
  return new Map(rows.map((r) => [r.id, r.sig]));
}
