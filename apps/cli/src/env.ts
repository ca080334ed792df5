import path from 'node:path';
import type { BackendName } from '@curfew/trainer';
import { z } from 'zod';
import { CliError } from './errors';

/** An empty variable (`DATABASE_URL=`) counts as unset, as shells and .env files mean it. */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** The only place the CLI reads `process.env`. */
export const CliEnv = z.object({
  /** `postgres://…` selects a PostgreSQL server; unset means the embedded PGlite database. */
  DATABASE_URL: optionalString,
  /** Folder for curfew's local state (embedded database, artifacts). @defaultValue `.curfew` */
  CURFEW_HOME: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('.curfew')),
  /**
   * Folder of run artifacts (checkpoints), one subfolder per run id.
   * @defaultValue `$CURFEW_HOME/artifacts`
   */
  CURFEW_ARTIFACTS: optionalString,
  /**
   * TF.js backend for `curfew train`: node-gpu, node, wasm or cpu; unset means the best that loads.
   * Checked by {@link envBackend}, on demand.
   */
  CURFEW_BACKEND: optionalString,
  /**
   * The database `curfew up` and `curfew demo` create (and then remember) on the local PostgreSQL
   * server when DATABASE_URL is unset and the curfew home remembers none.
   * @defaultValue `curfew`
   */
  CURFEW_LOCAL_DATABASE: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected a database name of lowercase letters, digits and _')
      .default('curfew'),
  ),
  /** Redis of the queues; unset: the local cluster's, else redis://127.0.0.1:6379. */
  REDIS_URL: optionalString,
  /** Key prefix of the queues (a Redis Cluster hash tag). @defaultValue `{curfew}` */
  CURFEW_QUEUE_PREFIX: optionalString,
  NO_COLOR: optionalString,
});
export type CliEnv = z.infer<typeof CliEnv>;

/** The environment with the folders it implies, resolved against the working directory. */
export type ResolvedEnv = CliEnv & {
  dataDir: string;
  artifactsDir: string;
  /** The whole environment, for the apps the CLI starts (`curfew worker` parses its own variables). */
  source: Readonly<NodeJS.ProcessEnv>;
};

export function readEnv(source: NodeJS.ProcessEnv = process.env): ResolvedEnv {
  const parsed = CliEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`curfew: environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const env = parsed.data;
  return {
    ...env,
    dataDir: path.resolve(env.CURFEW_HOME, 'db'),
    artifactsDir: path.resolve(env.CURFEW_ARTIFACTS ?? path.join(env.CURFEW_HOME, 'artifacts')),
    source,
  };
}

/**
 * CURFEW_BACKEND checked by the trainer's own parser. The trainer is imported on demand: it loads
 * TF.js (about a second), which commands that never train should not pay at every start.
 */
export async function envBackend(env: Pick<CliEnv, 'CURFEW_BACKEND'>): Promise<BackendName | undefined> {
  if (env.CURFEW_BACKEND === undefined) return undefined;
  const { parseBackendName } = await import('@curfew/trainer');
  try {
    return parseBackendName(env.CURFEW_BACKEND, 'CURFEW_BACKEND');
  } catch (err) {
    throw new CliError(`curfew: environment variable ${(err as Error).message}`);
  }
}
