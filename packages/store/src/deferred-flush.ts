import { is, sql } from 'drizzle-orm';
import { NodePgDatabase, NodePgTransaction } from 'drizzle-orm/node-postgres';
import type { StoreDatabase } from './database.js';

/**
 * Group commit for the decision service, on PostgreSQL. Its requests serialise on the
 * experiment's row lock, which is held until the commit returns; a synchronous commit returns only
 * once its WAL is on disk, so each request held the lock for an fsync (4 ms here) and no two
 * fsyncs of an experiment ever overlapped. Instead:
 * - `deferFlush(tx)`, first in the transaction: its commit makes it visible at once and frees the
 *   lock, without waiting for the disk (`synchronous_commit` off for this transaction only);
 * - `flushCommitted(db)`, after the commit and before the request is answered: writes one WAL
 *   record of its own and waits for its flush, which (WAL being one sequence) puts every commit
 *   made before it on disk, the request's own included; concurrent requests' flushes share fsyncs.
 * So a decision is durable before it is obeyed, as before. A crash in between loses only commits
 * whose requests were not answered, and since WAL is flushed in order, a later commit that
 * survived implies every earlier one did: no surviving decision rests on a lost one.
 * PGlite runs in the process, one connection, so both are no-ops there.
 */
export async function deferFlush(tx: StoreDatabase): Promise<void> {
  if (is(tx, NodePgTransaction)) await tx.execute(sql`set local synchronous_commit to off`);
}

/** Returns once every commit made so far on the server is on disk (see `deferFlush`). */
export async function flushCommitted(db: StoreDatabase): Promise<void> {
  if (is(db, NodePgDatabase)) await db.execute(sql`select pg_logical_emit_message(true, 'curfew', 'flush')`);
}
