import path from 'node:path';
import { DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL } from '@curfew/queue';
import { BACKEND_NAMES } from '@curfew/trainer';
import { z } from 'zod';

/** An empty variable counts as unset, as shells and .env files mean it. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const text = (fallback: string) => z.preprocess(unsetIfEmpty, z.string().default(fallback));
const positiveInt = (fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().positive().default(fallback));

/** The worker's configuration: the only place it reads `process.env`. */
export const WorkerEnv = z.object({
  REDIS_URL: text(DEFAULT_REDIS_URL),
  /** `postgres://…`; unset: the embedded PGlite database under CURFEW_HOME. */
  DATABASE_URL: z.preprocess(unsetIfEmpty, z.string().optional()),
  CURFEW_HOME: text('.curfew'),
  /** Checkpoint folder. @defaultValue `$CURFEW_HOME/artifacts` */
  CURFEW_ARTIFACTS: z.preprocess(unsetIfEmpty, z.string().optional()),
  /** Forces a TF.js backend; unset: the best that loads. */
  CURFEW_BACKEND: z.preprocess(unsetIfEmpty, z.enum(BACKEND_NAMES).optional()),
  CURFEW_QUEUE_PREFIX: text(DEFAULT_QUEUE_PREFIX),
  /** Runs trained at once by one worker process. @defaultValue 1 */
  CURFEW_WORKER_CONCURRENCY: positiveInt(1),
  /** BullMQ job lock; a dead worker's run is re-delivered about this long after it died. @defaultValue 30000 */
  CURFEW_LOCK_DURATION_MS: positiveInt(30_000),
  /** How often BullMQ looks for stalled jobs. @defaultValue 30000 */
  CURFEW_STALLED_INTERVAL_MS: positiveInt(30_000),
  /**
   * Times BullMQ re-delivers a job whose worker died (lock expired) before failing it. A crash is
   * what checkpoints are for, so a few are allowed; the run's own attempt limit, kept in the
   * database, is what bounds them, and the scheduler's reconciler re-enqueues a run whose job
   * failed while it still has attempts. @defaultValue 3
   */
  CURFEW_MAX_STALLED_COUNT: positiveInt(3),
  /** Attempts a run gets (crashes, lost workers, transient errors) before it fails. @defaultValue 5 */
  CURFEW_MAX_ATTEMPTS: positiveInt(5),
  /** How long a database outage is waited out before an attempt gives up, in ms. @defaultValue 120000 */
  CURFEW_DB_RETRY_MS: positiveInt(120_000),
  /**
   * The accelerator a command trainer's program may use: `cpu` or `cuda:N` (then
   * CUDA_VISIBLE_DEVICES=N). @defaultValue cpu
   */
  CURFEW_ACCELERATOR: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^(cpu|cuda:\d+)$/, { error: 'expected cpu or cuda:N (e.g. cuda:0)' })
      .default('cpu'),
  ),
});

/**
 * What a command trainer's program inherits of the worker's environment: where programs and
 * libraries are, the locale, temp folders. Never the worker's own settings (DATABASE_URL,
 * REDIS_URL, tokens): the spec's `trainer.env` adds what a program needs.
 */
const PASSED_TO_PROGRAMS = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'LD_LIBRARY_PATH',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'CUDA_HOME',
  'HF_HOME',
  'TORCH_HOME',
  'OMP_NUM_THREADS',
];

function programEnv(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    PASSED_TO_PROGRAMS.flatMap((name) => {
      const value = source[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

export interface WorkerConfig {
  redisUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  artifactsDir: string;
  backend: (typeof BACKEND_NAMES)[number] | undefined;
  queuePrefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  maxAttempts: number;
  dbRetryMs: number;
  accelerator: string;
  /** The environment command trainers' programs start from. */
  programEnv: Record<string, string>;
}

export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

export function readWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = WorkerEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkerConfigError(
      `curfew worker: environment variable ${String(issue?.path[0])}: ${issue?.message}`,
    );
  }
  const env = parsed.data;
  return {
    redisUrl: env.REDIS_URL,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.CURFEW_HOME, 'db'),
    artifactsDir: path.resolve(env.CURFEW_ARTIFACTS ?? path.join(env.CURFEW_HOME, 'artifacts')),
    backend: env.CURFEW_BACKEND,
    queuePrefix: env.CURFEW_QUEUE_PREFIX,
    concurrency: env.CURFEW_WORKER_CONCURRENCY,
    lockDurationMs: env.CURFEW_LOCK_DURATION_MS,
    stalledIntervalMs: env.CURFEW_STALLED_INTERVAL_MS,
    maxStalledCount: env.CURFEW_MAX_STALLED_COUNT,
    maxAttempts: env.CURFEW_MAX_ATTEMPTS,
    dbRetryMs: env.CURFEW_DB_RETRY_MS,
    accelerator: env.CURFEW_ACCELERATOR,
    programEnv: programEnv(source),
  };
}
