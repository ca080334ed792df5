import { z } from 'zod';
import { enumField, intField, numberField } from './fields.js';

export const optimizerNames = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof optimizerNames)[number];

/** Optimizer parameters, valid for every model family (in `model.params` and `search.space`). */
export const optimizerParams = {
  lr: numberField({ gt: 0, max: 10 })
    .default(3e-3)
    .describe('Initial learning rate (Adam; 3e-3 learns every built-in task, 1e-3 leaves kv-qa at chance).'),
  batch_size: intField({ min: 1, max: 4096 }).default(64).describe('Examples per training batch.'),
  optimizer: enumField(optimizerNames).default('adam').describe('Optimizer.'),
  weight_decay: numberField({ min: 0 }).default(0).describe('L2 weight decay.'),
  seed: intField().default(0).describe('Seed of weight initialisation and batch order.'),
};

export const OptimizerParams = z.strictObject(optimizerParams);
export type OptimizerParams = z.infer<typeof OptimizerParams>;
