import path from 'node:path';
import { z } from 'zod';

/** The only place the CLI reads `process.env`. */
export const CliEnv = z.object({
  /** `postgres://…` selects a PostgreSQL server; unset means the embedded PGlite database. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Folder for curfew's local state (embedded database, artifacts). @defaultValue `.curfew` */
  CURFEW_HOME: z.string().min(1).default('.curfew'),
  NO_COLOR: z.string().optional(),
});
export type CliEnv = z.infer<typeof CliEnv>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): CliEnv & { dataDir: string } {
  const env = CliEnv.parse(source);
  return { ...env, dataDir: path.resolve(env.CURFEW_HOME, 'db') };
}
