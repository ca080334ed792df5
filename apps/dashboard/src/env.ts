import { z } from 'zod';

/** An empty variable counts as unset, as shells and .env files mean it. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/** Where the dashboard listens unless told otherwise. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
export const DEFAULT_DASHBOARD_PORT = 8700;

/** The dashboard's configuration: the only place it reads `process.env`. */
export const DashboardEnv = z.object({
  /**
   * The operator token that allows cancelling from the dashboard (sent by its cancel button).
   * Unset: the dashboard is read-only, without a cancel button, and refuses cancel requests.
   */
  CURFEW_DASHBOARD_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .min(16, 'use at least 16 characters (e.g. openssl rand -hex 16)')
      .refine((v) => !/\s/.test(v), 'must not contain whitespace')
      .optional(),
  ),
  /** Address to bind. @defaultValue `127.0.0.1` (this machine only) */
  CURFEW_DASHBOARD_HOST: z.preprocess(unsetIfEmpty, z.string().default(DEFAULT_DASHBOARD_HOST)),
  /** Port to listen on; 0 picks a free one. @defaultValue 8700 */
  CURFEW_DASHBOARD_PORT: z.preprocess(
    unsetIfEmpty,
    z.coerce.number().int().min(0).max(65_535).default(DEFAULT_DASHBOARD_PORT),
  ),
  /** How often live pages re-read the database, in milliseconds. @defaultValue 1000 */
  CURFEW_DASHBOARD_POLL_MS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(50).default(1000)),
});
export type DashboardEnv = z.infer<typeof DashboardEnv>;

export interface DashboardConfig {
  /** Null: read-only. */
  token: string | null;
  host: string;
  port: number;
  /** Whether the port came from CURFEW_DASHBOARD_PORT (a busy one is then an error). */
  portFromEnv: boolean;
  pollMs: number;
}

export class DashboardConfigError extends Error {
  override readonly name = 'DashboardConfigError';
}

export function readDashboardConfig(source: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const parsed = DashboardEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DashboardConfigError(
      `curfew dashboard: environment variable ${String(issue?.path[0])}: ${issue?.message}`,
    );
  }
  const env = parsed.data;
  return {
    token: env.CURFEW_DASHBOARD_TOKEN ?? null,
    host: env.CURFEW_DASHBOARD_HOST,
    port: env.CURFEW_DASHBOARD_PORT,
    portFromEnv: unsetIfEmpty(source.CURFEW_DASHBOARD_PORT) !== undefined,
    pollMs: env.CURFEW_DASHBOARD_POLL_MS,
  };
}
