import { type Experiment, getExperiment, type StoreDatabase } from '@curfew/store';

/** The stored experiment, or null when there is none with this id (other errors propagate). */
export async function findExperiment(db: StoreDatabase, id: string): Promise<Experiment | null> {
  try {
    return await getExperiment(db, id);
  } catch (error) {
    if ((error as Error).name === 'ExperimentNotFoundError') return null;
    throw error;
  }
}
