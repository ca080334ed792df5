export { type ConnectionOptions, createRedis, DEFAULT_REDIS_URL, redactRedisUrl } from './connection';
export { JOB_CATALOG, type JobData, type JobName, JobPayloadError, parseJobData } from './job-catalog';
export { ExpandExperimentJob } from './jobs/expand-experiment.job';
export { TrainRunJob, TrainRunResult } from './jobs/train-run.job';
export { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES, type QueueName } from './names';
export { createQueue, enqueueJob } from './queues';
