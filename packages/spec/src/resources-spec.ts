import { z } from 'zod';
import { intField } from './fields.js';

/** Scheduling of the experiment's runs. */
export const ResourcesSpec = z.strictObject({
  priority: intField({ min: 1, max: 100 }).default(5).describe('1 runs first (BullMQ order).'),
  max_parallel: intField({ min: 1, max: 1024 }).default(4).describe('Most runs in flight at once.'),
});
export type ResourcesSpec = z.infer<typeof ResourcesSpec>;
