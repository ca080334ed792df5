import path from 'node:path';
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
  NO_COLOR: optionalString,
});
export type CliEnv = z.infer<typeof CliEnv>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): CliEnv & { dataDir: string } {
  const parsed = CliEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`curfew: environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const env = parsed.data;
  return { ...env, dataDir: path.resolve(env.CURFEW_HOME, 'db') };
}
