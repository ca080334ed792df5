import { is, sql } from 'drizzle-orm';
import { NodePgDatabase, NodePgTransaction } from 'drizzle-orm/node-postgres';
import type { StoreDatabase } from './database.js';

/**
 * Group commit for the decision service, on PostgreSQL. Its requests serialise on the
 * experiment's row lock, which is held until the commit returns; a synchronous commit returns only
 * once its WAL is on disk, so each request held the lock for an fsync (4 ms here) and no two
 * fsyncs of an experiment ever overlapped. Instead:
 * - `defer(tx)`, first in the transaction: its commit makes it visible at once and frees the
 *   lock, without waiting for the disk (`synchronous_commit` off for this transaction only);
 * - `flush()`, after the commit and before the request is answered: writes one WAL
 *   record of its own and waits for its flush, which (WAL being one sequence) puts every commit
 *   made before it on disk, the request's own included; concurrent requests' flushes share fsyncs.
 * So a decision is durable before it is obeyed, as before. A crash in between loses only commits
 * whose requests were not answered, and since WAL is flushed in order, a later commit that
 * survived implies every earlier one did: no surviving decision rests on a lost one.
 * PGlite runs in the process, one connection, so both are no-ops there.
 */
/** The statement that makes a transaction's commit not wait for the disk. */
export const DEFER_COMMIT = 'set local synchronous_commit to off';

export interface CommitFlush {
  /** Whether commits are deferred here (Postgres, where curfew's user may write the flush record). */
  deferring(): Promise<boolean>;
  /**
   * First in a transaction: its commit frees its locks without waiting for the disk (or pass
   * `deferCommit` to `lockExperimentOfRunWithEvents`, which sends it in the same round trip).
   */
  defer(tx: StoreDatabase): Promise<void>;
  /** Returns once every commit made so far on the server is on disk. */
  flush(): Promise<void>;
}

/**
 * The deferred flush of `db`'s transactions (see above). Where the server does not let curfew's
 * user write the WAL record (`pg_logical_emit_message`: a server that revokes it), commits wait
 * for the disk as before and `flush` has nothing to do: asked once, on first use.
 */
export function commitFlush(db: StoreDatabase): CommitFlush {
  let able: Promise<boolean> | undefined;
  const deferring = () => {
    able ??= canFlush(db).catch((error: unknown) => {
      able = undefined;
      throw error;
    });
    return able;
  };
  return {
    deferring,
    async defer(tx) {
      if (is(tx, NodePgTransaction) && (await deferring())) await tx.execute(sql.raw(DEFER_COMMIT));
    },
    async flush() {
      if (await deferring()) await db.execute(sql`select pg_logical_emit_message(true, 'curfew', 'flush')`);
    },
  };
}

async function canFlush(db: StoreDatabase): Promise<boolean> {
  if (!is(db, NodePgDatabase)) return false;
  const result = (await db.execute(
    sql`select has_function_privilege('pg_logical_emit_message(boolean, text, text)', 'execute') as able`,
  )) as unknown as { rows: { able: boolean }[] };
  return result.rows[0]?.able === true;
}
