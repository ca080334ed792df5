import { z } from 'zod';

/** A submitted experiment for the scheduler to expand into runs. */
export const ExpandExperimentJob = z.strictObject({
  experimentId: z.string().min(1),
});
export type ExpandExperimentJob = z.infer<typeof ExpandExperimentJob>;
