import type { Request } from 'express';

/** Experiment ids are `NAME-N` (lowercase letters, digits, dashes); anything else is not one. */
const EXPERIMENT_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;
const TRIAL = /^\d{1,9}$/;

/** The experiment id of `/…/:id`, or null when it cannot be one. */
export function experimentParam(req: Request): string | null {
  const id = req.params.id;
  return typeof id === 'string' && EXPERIMENT_ID.test(id) ? id : null;
}

/** The run id (EXPERIMENT/TRIAL) of `/…/:experiment/:trial`, or null when it cannot be one. */
export function runParam(req: Request): { experimentId: string; runId: string } | null {
  const { experiment, trial } = req.params;
  if (typeof experiment !== 'string' || typeof trial !== 'string') return null;
  if (!EXPERIMENT_ID.test(experiment) || !TRIAL.test(trial)) return null;
  return { experimentId: experiment, runId: `${experiment}/${Number(trial)}` };
}
