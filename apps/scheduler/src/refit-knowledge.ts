import { randomUUID } from 'node:crypto';
import { refitStopModels } from '@curfew/decisions';
import type { StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import { fitStopModelsInThread } from './fit-in-thread';

/** Refits the meta-learner (what curfew_predict_stop answers from) inside the refit's transaction. */
export type MetaRefit = (db: StoreDatabase, fitId: string) => Promise<void>;

/**
 * One refit of what curfew learns from history: the stop models the policies decide with and the
 * meta-learner behind curfew_predict_stop, read from the same snapshot of history (one
 * repeatable-read transaction) and stored together, every meta_models version of the refit
 * carrying its fit id in its state. Either all of them land or none does.
 */
export async function refitKnowledge(
  db: StoreDatabase,
  refitMeta: MetaRefit | undefined,
  log: (line: string) => void,
): Promise<string> {
  const fitId = randomUUID();
  await db.transaction(
    async (tx) => {
      // The fits are CPU work between statements, a minute and more on a large history: the
      // server must not take that for a frozen client and end the session (the store's
      // idle-in-transaction timeout). This transaction locks no experiment, so waiting hurts no one.
      await tx.execute(sql`SET LOCAL idle_in_transaction_session_timeout = 0`);
      const within = tx as unknown as StoreDatabase;
      const stop = await refitStopModels(within, { fitId, fit: fitStopModelsInThread });
      if (stop) log(`stop models: version ${stop.version} from ${stop.runs} runs trained to their budget`);
      await refitMeta?.(within, fitId);
    },
    { isolationLevel: 'repeatable read' },
  );
  return fitId;
}
