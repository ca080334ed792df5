import { type ConnectionOptions as BullConnection, Queue } from 'bullmq';
import { JOB_CATALOG, type JobData, type JobName, parseJobData } from './job-catalog';
import { DEFAULT_QUEUE_PREFIX, type QueueName } from './names';

/** A BullMQ queue of curfew's, under its hash-tagged prefix. */
export function createQueue(
  name: QueueName,
  connection: BullConnection,
  prefix = DEFAULT_QUEUE_PREFIX,
): Queue {
  return new Queue(name, { connection, prefix });
}

/**
 * Adds a job with its catalog options after checking the payload against its schema, so nothing
 * a worker cannot parse is ever enqueued. `jobId` makes the add idempotent (BullMQ ignores a
 * second add with the same id).
 */
export async function enqueueJob<N extends JobName>(
  queue: Queue,
  name: N,
  data: JobData<N>,
  options: { jobId?: string; priority?: number } = {},
) {
  const entry = JOB_CATALOG[name];
  if (queue.name !== entry.queue)
    throw new Error(`job ${name} belongs on queue ${entry.queue}, not ${queue.name}`);
  parseJobData(name, data);
  return queue.add(name, data, { ...entry.options, ...options });
}
