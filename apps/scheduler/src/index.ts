export { dispatchRuns } from './dispatch-runs';
export { readSchedulerConfig, type SchedulerConfig, SchedulerConfigError, SchedulerEnv } from './env';
export { type BudgetOf, expandExperiment, type Predictor, type RunPrediction } from './expand-experiment';
export { predictRuns, refitMeta } from './meta-hooks';
export { type ReconcileOptions, reconcileRuns } from './reconcile-runs';
export { type MetaRefit, refitKnowledge } from './refit-knowledge';
export { type SchedulerHandle, type SchedulerOptions, startScheduler } from './scheduler';
export { startSchedulerProcess } from './start-scheduler-process';
