import type { StoreDatabase } from '@curfew/store';
import { type SQL, sql } from 'drizzle-orm';

/** The rows of a hand-written query, on node-postgres and PGlite alike (both answer `{ rows }`). */
export async function rowsOf<T>(db: StoreDatabase, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** A timestamp as ISO text (drivers give a Date, or text for a timestamp inside an aggregate). */
export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** `(…)` of bound parameters, for `x in ${idList(ids)}` (never empty: callers check). */
export function idList(ids: readonly string[]): SQL {
  return sql`(${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )})`;
}
