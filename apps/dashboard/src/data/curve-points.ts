import type { StoreDatabase } from '@curfew/store';
import { type SQL, sql } from 'drizzle-orm';
import type { CurvePoint } from '../curves/align-curves';
import { idList, rowsOf } from './rows';

/**
 * The eval column of a metric as users name it (as `policy.monitor` does): em, loss (validation),
 * train_loss, perplexity, lr, or any extra metric the trainer recorded by name.
 */
function metricColumn(metric: string): SQL {
  switch (metric) {
    case 'em':
      return sql`ev.em`;
    case 'loss':
      return sql`ev.val_loss`;
    case 'train_loss':
      return sql`ev.train_loss`;
    case 'perplexity':
      return sql`ev.perplexity`;
    case 'lr':
      return sql`ev.lr`;
    default:
      return sql`(ev.metrics ->> ${metric})::float8`;
  }
}

/** Per run, per metric: its points in step order (evals without a value for it are left out). */
export type RunCurvePoints = Map<string, CurvePoint[][]>;

/**
 * The curves of `metrics` for an experiment's runs (every run, or only `runIds`): one query,
 * in step order.
 */
export async function curvePoints(
  db: StoreDatabase,
  experimentId: string,
  metrics: readonly string[],
  runIds?: readonly string[],
): Promise<RunCurvePoints> {
  const byRun: RunCurvePoints = new Map();
  if (runIds?.length === 0) return byRun;
  const columns = sql.join(
    metrics.map((m, i) => sql`${metricColumn(m)}::float8 as ${sql.identifier(`m${i}`)}`),
    sql`, `,
  );
  const where = runIds
    ? sql`ev.run_id in ${idList(runIds)}`
    : sql`ev.run_id in (select id from runs where experiment_id = ${experimentId})`;
  const rows = await rowsOf<Record<string, number | null> & { run_id: string; tokens: number }>(
    db,
    sql`select ev.run_id, ev.tokens::float8 as tokens, ${columns} from evals ev where ${where}
        order by ev.run_id, ev.step`,
  );
  for (const row of rows) {
    let lists = byRun.get(row.run_id);
    if (!lists) {
      lists = metrics.map(() => []);
      byRun.set(row.run_id, lists);
    }
    for (let i = 0; i < metrics.length; i++) {
      const value = row[`m${i}`];
      if (value !== null && value !== undefined && Number.isFinite(value))
        (lists[i] as CurvePoint[]).push({ tokens: row.tokens, value });
    }
  }
  return byRun;
}
