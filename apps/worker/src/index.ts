export { readWorkerConfig, type WorkerConfig, WorkerConfigError, WorkerEnv } from './env';
export { type StartWorkerOptions, startWorker, type WorkerHandle } from './start-worker';
export type { Trainer } from './train-run.processor';
