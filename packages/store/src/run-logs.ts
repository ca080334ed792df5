import { asc, eq, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { RUN_LOG_MAX_CHARS, type RunLog, runLogs } from './schema/run-logs.js';

const MAX = sql.raw(String(RUN_LOG_MAX_CHARS));

/**
 * Appends output to an attempt's log, keeping only its last RUN_LOG_MAX_CHARS characters (the
 * count of what was dropped is kept too). One statement, so concurrent appends never lose text.
 */
export async function appendRunLog(
  db: StoreDatabase,
  entry: { runId: string; attempt: number; text: string },
): Promise<void> {
  if (entry.text === '') return;
  const text = entry.text;
  await db.execute(sql`
    insert into run_logs (run_id, attempt, text, total_chars, dropped_chars)
    values (${entry.runId}, ${entry.attempt}, right(${text}::text, ${MAX}), length(${text}::text),
            greatest(length(${text}::text) - ${MAX}, 0))
    on conflict (run_id, attempt) do update set
      text = right(run_logs.text || ${text}::text, ${MAX}),
      total_chars = run_logs.total_chars + length(${text}::text),
      dropped_chars = run_logs.total_chars + length(${text}::text)
        - length(right(run_logs.text || ${text}::text, ${MAX})),
      updated_at = now()`);
}

/** A run's logs, one per attempt that wrote any, oldest attempt first. */
export async function runLogsOf(db: StoreDatabase, runId: string): Promise<RunLog[]> {
  return db.select().from(runLogs).where(eq(runLogs.runId, runId)).orderBy(asc(runLogs.attempt));
}
