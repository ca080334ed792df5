/**
 * Errors worth waiting out: the database (or Redis) is restarting, unreachable for a moment, or
 * dropped a connection. Classified by code and message along the `cause` chain (drizzle wraps the
 * driver's error), never by `instanceof`.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions
  '25P03', // idle_in_transaction_session_timeout: the server ended a frozen session
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
]);

const TRANSIENT_MESSAGES =
  /connection terminated|terminating connection|timeout exceeded when trying to connect|connection timeout|client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|connect ECONNREFUSED|Connection is closed|read ECONNRESET/i;

export function isTransientError(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
  }
  return false;
}

export interface RetryOptions {
  /** Longest to keep retrying, in milliseconds. @defaultValue 120000 */
  forMs?: number;
  /** First pause, doubled each time up to `maxDelayMs`. @defaultValue 200 */
  initialDelayMs?: number;
  /** @defaultValue 5000 */
  maxDelayMs?: number;
  /** Told about each retry (once per outage is enough for a log). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `fn`, retrying transient errors with exponential backoff for up to `forMs`; others throw at once. */
export async function retryTransient<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.forMs ?? 120_000);
  let delay = options.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransientError(error) || Date.now() + delay > deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}
