import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { evals, type NewEval } from './schema/evals.js';

export interface UpsertEvalsOptions {
  /**
   * Rows per INSERT statement.
   * @defaultValue 500
   */
  batchSize?: number;
  /**
   * On an existing (run_id, step): `update` overwrites the metrics (last write wins), `ignore`
   * keeps the first write.
   * @defaultValue 'update'
   */
  onConflict?: 'update' | 'ignore';
}

const KEY_COLUMNS = new Set(['runId', 'step', 'createdAt']);

/** Overwrites every column except the key and the first write time. */
const UPDATE_SET: Record<string, SQL> = Object.fromEntries(
  Object.entries(getTableColumns(evals))
    .filter(([key]) => !KEY_COLUMNS.has(key))
    .map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
);

/**
 * Writes evals idempotently on (run_id, step), in batches: a retried or resumed run can write
 * the same evals again. Within `rows`, a later row for the same (run_id, step) wins.
 * @returns the number of distinct (run_id, step) rows sent
 */
export async function upsertEvals(
  db: StoreDatabase,
  rows: readonly NewEval[],
  options: UpsertEvalsOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`upsertEvals: batchSize must be a positive integer, got ${batchSize}`);
  }
  // ON CONFLICT DO UPDATE cannot touch one row twice in a statement: keep the last of duplicates.
  const unique = [...new Map(rows.map((row) => [`${row.runId}\u0000${row.step}`, row])).values()];
  for (let start = 0; start < unique.length; start += batchSize) {
    const batch = unique.slice(start, start + batchSize);
    const insert = db.insert(evals).values(batch);
    if (options.onConflict === 'ignore') {
      await insert.onConflictDoNothing({ target: [evals.runId, evals.step] });
    } else {
      await insert.onConflictDoUpdate({ target: [evals.runId, evals.step], set: UPDATE_SET });
    }
  }
  return unique.length;
}
