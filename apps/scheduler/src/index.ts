export { dispatchRuns } from './dispatch-runs';
export { type BudgetOf, expandExperiment, type Predictor, type RunPrediction } from './expand-experiment';
export { type SchedulerHandle, type SchedulerOptions, startScheduler } from './scheduler';
