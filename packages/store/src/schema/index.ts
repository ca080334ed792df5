export * from './checkpoints.js';
export * from './evals.js';
export * from './experiments.js';
export * from './meta-models.js';
export * from './predictions.js';
export * from './runs.js';
