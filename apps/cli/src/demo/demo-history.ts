import type { ExperimentSpec } from '@curfew/spec';
import { historyRuns, listExperiments, runsOf, type StoreDatabase } from '@curfew/store';

/** Key order does not matter when comparing a stored spec with one about to be submitted. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * An experiment of the same spec that already trained every run to its budget (an earlier demo):
 * its id, to reuse as history instead of training it again; null when there is none.
 */
export async function finishedExperimentOf(db: StoreDatabase, spec: ExperimentSpec): Promise<string | null> {
  const wanted = canonical(spec);
  for (const experiment of await listExperiments(db, 1_000)) {
    if (experiment.name !== spec.name || experiment.status !== 'done') continue;
    if (canonical(experiment.spec) !== wanted) continue;
    const runs = await runsOf(db, experiment.id);
    if (runs.length > 0 && runs.every((r) => r.status === 'completed')) return experiment.id;
  }
  return null;
}

/** Runs of this task family in the history that trained to their full budget. */
export async function historyRunsOfFamily(db: StoreDatabase, family: string): Promise<number> {
  return (await historyRuns(db)).filter((run) => run.task.family === family).length;
}
