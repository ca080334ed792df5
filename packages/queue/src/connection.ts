import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Hides a password in a Redis URL, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

export interface ConnectionOptions {
  /**
   * Workers and other blocking consumers must retry forever (BullMQ requires
   * `maxRetriesPerRequest: null`); producers fail fast so a CLI can report an unreachable Redis.
   */
  blocking: boolean;
  /** Called with each connection error (the client keeps retrying). */
  onError?: (error: Error) => void;
}

/** An ioredis client for BullMQ from a `redis://` URL. */
export function createRedis(url: string, options: ConnectionOptions): Redis {
  const extra: RedisOptions = options.blocking
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: true };
  const client = new Redis(url, { ...extra, retryStrategy: (times) => Math.min(times * 200, 5_000) });
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}
