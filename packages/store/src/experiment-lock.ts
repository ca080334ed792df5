import { eq, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { ExperimentNotFoundError, RunNotFoundError } from './errors.js';
import { experiments } from './schema/experiments.js';

/** The experiment row locked by a transaction, with the event sequence number it took. */
export interface ExperimentLock {
  experimentId: string;
  /** This transaction's event sequence number; every event below it is committed and visible. */
  seq: number;
  status: (typeof experiments.$inferSelect)['status'];
}

/**
 * Takes the experiment's row lock for the rest of the transaction and the next event sequence
 * number. Every state-changing request of an experiment's runs takes it first, so the database
 * serialises them: the experiment is the partition.
 */
export async function lockExperiment(tx: StoreDatabase, experimentId: string): Promise<ExperimentLock> {
  const [row] = await tx
    .update(experiments)
    .set({ eventSeq: sql`${experiments.eventSeq} + 1` })
    .where(eq(experiments.id, experimentId))
    .returning({ experimentId: experiments.id, seq: experiments.eventSeq, status: experiments.status });
  if (!row) throw new ExperimentNotFoundError(`experiment ${experimentId} does not exist`);
  return row;
}

/** `lockExperiment` for the experiment a run belongs to. */
export async function lockExperimentOfRun(tx: StoreDatabase, runId: string): Promise<ExperimentLock> {
  const [row] = await tx
    .update(experiments)
    .set({ eventSeq: sql`${experiments.eventSeq} + 1` })
    .where(sql`${experiments.id} = (select experiment_id from runs where id = ${runId})`)
    .returning({ experimentId: experiments.id, seq: experiments.eventSeq, status: experiments.status });
  if (!row) throw new RunNotFoundError(`run ${runId} does not exist`);
  return row;
}
