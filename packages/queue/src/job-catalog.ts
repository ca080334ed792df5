import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import { ExpandExperimentJob } from './jobs/expand-experiment.job';
import { TrainRunJob } from './jobs/train-run.job';
import { QUEUE_NAMES, type QueueName } from './names';

interface CatalogEntry {
  queue: QueueName;
  schema: z.ZodType;
  options: JobsOptions;
}

/**
 * Every job curfew enqueues: its queue, payload schema and default options. Producers and
 * processors are typed from this one table (`JobData<'train-run'>`), so a job with no schema or
 * no handler does not compile.
 */
export const JOB_CATALOG = {
  'train-run': {
    queue: QUEUE_NAMES.runs,
    schema: TrainRunJob,
    options: {
      // A crashed or stalled run is re-delivered and resumes from its checkpoint.
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 10_000 },
      removeOnFail: { count: 10_000 },
    },
  },
  'expand-experiment': {
    queue: QUEUE_NAMES.experiments,
    schema: ExpandExperimentJob,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 10_000 },
    },
  },
} as const satisfies Record<string, CatalogEntry>;

export type JobName = keyof typeof JOB_CATALOG;
export type JobData<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]['schema']>;

export class JobPayloadError extends Error {
  override readonly name = 'JobPayloadError';
}

/** Parses a job's payload with its catalog schema; the error names the field and the problem. */
export function parseJobData<N extends JobName>(name: N, data: unknown): JobData<N> {
  const result = JOB_CATALOG[name].schema.safeParse(data);
  if (result.success) return result.data as JobData<N>;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new JobPayloadError(`bad ${name} payload: ${problems.join('; ')}`);
}
