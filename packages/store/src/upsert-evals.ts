import { type Column, getTableColumns, is, SQL, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { evals, type NewEval } from './schema/evals.js';

export interface UpsertEvalsOptions {
  /**
   * Rows per INSERT statement.
   * @defaultValue 5000
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
const COLUMNS = Object.entries(getTableColumns(evals)) as [keyof NewEval & string, Column][];

/** Overwrites every column except the key and the first write time. */
const UPDATE_SET = sql.raw(
  COLUMNS.filter(([key]) => !KEY_COLUMNS.has(key))
    .map(([, column]) => `"${column.name}" = excluded."${column.name}"`)
    .join(', '),
);

/** jsonb travels as text (one array parameter) and is cast back in the SELECT. */
const paramType = (column: Column) => (column.getSQLType() === 'jsonb' ? 'text' : column.getSQLType());

/** A column's value in the SELECT: cast back, and its default where the row has none. */
function selected(column: Column): SQL {
  const value = sql.raw(`u."${column.name}"${column.getSQLType() === 'jsonb' ? '::jsonb' : ''}`);
  if (!column.hasDefault || column.default === undefined) return value;
  const fallback = is(column.default, SQL) ? column.default : sql`${column.default}`;
  return sql`coalesce(${value}, ${fallback})`;
}

/**
 * One INSERT … SELECT FROM unnest(one array per column): a batch costs one parameter per column
 * rather than one per value, which keeps big batches cheap to build, send and plan.
 */
function insertBatch(batch: readonly NewEval[], onConflict: 'update' | 'ignore'): SQL {
  const names = sql.raw(COLUMNS.map(([, c]) => `"${c.name}"`).join(', '));
  const arrays = sql.join(
    COLUMNS.map(([key, column]) => {
      const values = batch.map((row) => {
        const value = row[key];
        return value === undefined || value === null ? null : column.mapToDriverValue(value);
      });
      return sql`${sql.param(values)}::${sql.raw(paramType(column))}[]`;
    }),
    sql`, `,
  );
  const select = sql.join(
    COLUMNS.map(([, column]) => selected(column)),
    sql`, `,
  );
  const conflict = onConflict === 'ignore' ? sql`DO NOTHING` : sql`DO UPDATE SET ${UPDATE_SET}`;
  return sql`INSERT INTO ${evals} (${names}) SELECT ${select} FROM unnest(${arrays}) AS u(${names}) ON CONFLICT ("run_id", "step") ${conflict}`;
}

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
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`upsertEvals: batchSize must be a positive integer, got ${batchSize}`);
  }
  // ON CONFLICT DO UPDATE cannot touch one row twice in a statement: keep the last of duplicates.
  const unique = [...new Map(rows.map((row) => [`${row.runId}\u0000${row.step}`, row])).values()];
  for (let start = 0; start < unique.length; start += batchSize) {
    await db.execute(insertBatch(unique.slice(start, start + batchSize), options.onConflict ?? 'update'));
  }
  return unique.length;
}
