import { z } from 'zod';
import { intField } from './fields.js';

/** How often runs are evaluated; `every_tokens` must not exceed the budget. */
export const EvalSpec = z.strictObject({
  every_tokens: intField({ min: 1 }).describe('Training tokens between two evals.'),
  max_examples: intField({ min: 1 }).optional().describe('Cap on validation examples per eval.'),
});
export type EvalSpec = z.infer<typeof EvalSpec>;
