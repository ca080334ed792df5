import type { StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import { rowsOf } from './rows';

export interface RawEval {
  run_id: string;
  step: number;
  tokens: number;
  em: number | null;
  val_loss: number | null;
  train_loss: number | null;
  lr: number | null;
}

/** Every eval of an experiment's runs, as stored (for download, and the bench's baseline). */
export async function rawEvals(db: StoreDatabase, experimentId: string): Promise<RawEval[]> {
  return rowsOf<RawEval>(
    db,
    sql`select ev.run_id, ev.step, ev.tokens::float8 as tokens, ev.em, ev.val_loss, ev.train_loss, ev.lr
        from evals ev where ev.run_id in (select id from runs where experiment_id = ${experimentId})
        order by ev.run_id, ev.step`,
  );
}
