import { z } from 'zod';
import { booleanField, numberField } from './fields.js';

/** Adaptive regularisation: raise weight decay / dropout when the train-val gap grows. */
export const RegularizationSpec = z.strictObject({
  adaptive: booleanField().default(false).describe('Adjust regularisation during training.'),
  max_weight_decay: numberField({ min: 0 }).default(0.01).describe('Ceiling of adaptive weight decay.'),
  max_dropout: numberField({ min: 0, max: 0.9 }).default(0.5).describe('Ceiling of adaptive dropout.'),
  gap_threshold: numberField({ min: 0, max: 1 })
    .default(0.05)
    .describe('Train-val EM gap above which regularisation rises.'),
});
export type RegularizationSpec = z.infer<typeof RegularizationSpec>;
