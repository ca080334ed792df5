// For tests and benches: curfew_predict_stop as migrations/0007 defined it, beside the current
// one, so that the two can be compared row for row and timed side by side in one database.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MIGRATIONS_FOLDER, type StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import { predictStopManyWith, type StopPrediction, type StopQuery } from './meta-model.js';

/** Creates (or replaces) `curfew_predict_stop_0007`: the function of migrations/0007, renamed. */
export async function installPredictStop0007(db: StoreDatabase): Promise<void> {
  const text = await readFile(join(DEFAULT_MIGRATIONS_FOLDER, '0007_predict_stop_once.sql'), 'utf8');
  // The body names its arguments by the function's name (curfew_predict_stop.features), so every
  // occurrence is renamed.
  await db.execute(sql.raw(text.replaceAll('curfew_predict_stop', 'curfew_predict_stop_0007')));
}

/** {@link predictStopMany} through `curfew_predict_stop_0007` (install it first). */
export function predictStopMany0007(
  db: StoreDatabase,
  queries: readonly StopQuery[],
): Promise<Map<string, StopPrediction>> {
  return predictStopManyWith(db, queries, 'curfew_predict_stop_0007');
}
