import path from 'node:path';
import { DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL } from '@curfew/queue';
import { z } from 'zod';

/** An empty variable counts as unset, as shells and .env files mean it. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const text = (fallback: string) => z.preprocess(unsetIfEmpty, z.string().default(fallback));
const positiveInt = (fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().positive().default(fallback));

/** The scheduler process's configuration: the only place it reads `process.env`. */
export const SchedulerEnv = z.object({
  REDIS_URL: text(DEFAULT_REDIS_URL),
  /** `postgres://…`; unset: the embedded PGlite database under CURFEW_HOME. */
  DATABASE_URL: z.preprocess(unsetIfEmpty, z.string().optional()),
  CURFEW_HOME: text('.curfew'),
  CURFEW_QUEUE_PREFIX: text(DEFAULT_QUEUE_PREFIX),
  /** How often the database is scanned for work and the queue reconciled, in ms. @defaultValue 1000 */
  CURFEW_SCHEDULER_POLL_MS: positiveInt(1_000),
  /** Shortest time between two refits of the meta-learner and the stop models, in ms. @defaultValue 60000 */
  CURFEW_REFIT_INTERVAL_MS: positiveInt(60_000),
  /** Attempts a run gets before it fails (the workers' CURFEW_MAX_ATTEMPTS). @defaultValue 5 */
  CURFEW_MAX_ATTEMPTS: positiveInt(5),
  /**
   * Bearer token of the report API (trainers outside the cluster). Unset: the API is not served.
   * At least 16 characters, e.g. `openssl rand -hex 32`.
   */
  CURFEW_API_TOKEN: z.preprocess(
    unsetIfEmpty,
    z.string().min(16, { error: 'expected at least 16 characters (e.g. openssl rand -hex 32)' }).optional(),
  ),
  /** Address the report API binds. @defaultValue 127.0.0.1 */
  CURFEW_API_HOST: text('127.0.0.1'),
  /** Port of the report API. @defaultValue 7878 */
  CURFEW_API_PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65_535).default(7878)),
});

export interface SchedulerConfig {
  redisUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  queuePrefix: string;
  pollMs: number;
  refitIntervalMs: number;
  maxAttempts: number;
  /** The report API, when a token is set. */
  api: { token: string; host: string; port: number } | null;
}

export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';
}

export function readSchedulerConfig(source: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const parsed = SchedulerEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SchedulerConfigError(
      `curfew scheduler: environment variable ${String(issue?.path[0])}: ${issue?.message}`,
    );
  }
  const env = parsed.data;
  return {
    redisUrl: env.REDIS_URL,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.CURFEW_HOME, 'db'),
    queuePrefix: env.CURFEW_QUEUE_PREFIX,
    pollMs: env.CURFEW_SCHEDULER_POLL_MS,
    refitIntervalMs: env.CURFEW_REFIT_INTERVAL_MS,
    maxAttempts: env.CURFEW_MAX_ATTEMPTS,
    api: env.CURFEW_API_TOKEN
      ? { token: env.CURFEW_API_TOKEN, host: env.CURFEW_API_HOST, port: env.CURFEW_API_PORT }
      : null,
  };
}
