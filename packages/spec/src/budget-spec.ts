import { z } from 'zod';
import { intField } from './fields.js';

/** Token budget of each run; when absent, the task family's default applies downstream. */
export const BudgetSpec = z.strictObject({
  max_tokens_per_run: intField({ min: 1 }).describe('Most training tokens one run may use.'),
});
export type BudgetSpec = z.infer<typeof BudgetSpec>;
