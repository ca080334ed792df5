/**
 * Key prefix of every curfew queue. The braces are a Redis Cluster hash tag: all of a queue's
 * keys land in one slot, which BullMQ's multi-key scripts require.
 */
export const DEFAULT_QUEUE_PREFIX = '{curfew}';

/** Queue names, by what flows through them. */
export const QUEUE_NAMES = {
  /** One job per training run, taken by workers. */
  runs: 'runs',
  /** One job per submitted experiment, taken by the scheduler. */
  experiments: 'experiments',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
