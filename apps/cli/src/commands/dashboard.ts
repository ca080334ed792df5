import type { DashboardHandle } from '@curfew/dashboard';
import type { StoreDatabase } from '@curfew/store';
import { intFlag, parseCommandArgs } from '../args';
import { openCliStore, queueSettings } from '../cluster/connect';
import type { Command, CommandContext } from '../command';
import type { ResolvedEnv } from '../env';
import { CliError, UsageError } from '../errors';
import { untilSignal } from '../signals';

const USAGE = `Usage: curfew dashboard [--port N] [--host HOST]

Serves the web dashboard until Ctrl-C: experiments, one experiment's runs and learning curves
(live, downsampled on the server), one run's curves, LR, decisions, attempts, checkpoints and
logs, and Bull Board for the queues under /queues. It reads the database other commands use
(DATABASE_URL, else the running local cluster's) and the queues on REDIS_URL; on the embedded
database it holds it while it runs, as one process must. \`curfew up\` serves it too, and prints
its address.

It is read-only. Set CURFEW_DASHBOARD_TOKEN (16 characters or more) to allow cancelling runs
and experiments from it: the cancel button then asks for that token and sends it.

Options:
  --port N      port to listen on (default: CURFEW_DASHBOARD_PORT, else 8700; 0: any free port)
  --host HOST   address to bind (default: CURFEW_DASHBOARD_HOST, else 127.0.0.1, this machine
                only; 0.0.0.0 serves every network the machine is on)`;

/** Dashboard errors are turned into one-line CLI errors here: the CLI knows them by name. */
const DASHBOARD_ERRORS = new Set(['DashboardConfigError', 'DashboardListenError']);

async function asCliErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && DASHBOARD_ERRORS.has(error.name)) throw new CliError(error.message);
    throw error;
  }
}

export interface ServeOptions {
  db: StoreDatabase;
  redis: { url: string; queuePrefix: string };
  log: (line: string) => void;
  host?: string;
  port?: number;
  /** `curfew up`: when the default port is taken, take a free one. */
  anyPortIfTaken?: boolean;
}

/**
 * The dashboard's configuration checked (a bad CURFEW_DASHBOARD_* variable is a one-line error
 * before anything connects), and what starts it. The dashboard is imported here, so commands
 * that never serve it never load it.
 */
export async function loadDashboard(env: ResolvedEnv) {
  const { readDashboardConfig, startDashboard } = await import('@curfew/dashboard');
  const config = await asCliErrors(async () => readDashboardConfig(env.source));
  const serve = (options: ServeOptions): Promise<DashboardHandle> =>
    asCliErrors(() =>
      startDashboard({
        db: options.db,
        redis: options.redis,
        host: options.host ?? config.host,
        port: options.port ?? config.port,
        token: config.token,
        pollMs: config.pollMs,
        anyPortIfTaken: options.anyPortIfTaken === true && options.port === undefined && !config.portFromEnv,
        log: options.log,
      }),
    );
  return { config, serve };
}

/** The line that says where the dashboard is and whether it can cancel. */
export const dashboardLine = (who: string, handle: DashboardHandle) =>
  `${who}: dashboard at ${handle.url} (${handle.readOnly ? 'read-only; set CURFEW_DASHBOARD_TOKEN to allow cancelling' : 'cancelling allowed with the operator token'})`;

/** `curfew up`'s dashboard, on the cluster's own database and queues. */
export async function serveClusterDashboard(
  cluster: { store: { db: StoreDatabase }; info: { redisUrl: string; queuePrefix: string } },
  ctx: CommandContext,
): Promise<DashboardHandle> {
  const { serve } = await loadDashboard(ctx.env);
  const handle = await serve({
    db: cluster.store.db,
    redis: { url: cluster.info.redisUrl, queuePrefix: cluster.info.queuePrefix },
    log: ctx.out,
    anyPortIfTaken: true,
  });
  ctx.out(dashboardLine('curfew up', handle));
  return handle;
}

function parse(args: string[]) {
  const { values, positionals } = parseCommandArgs('dashboard', args, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
  });
  if (values.help) return null;
  if (positionals.length > 0)
    throw new UsageError(
      `curfew dashboard: unexpected argument "${positionals[0]}" (see curfew dashboard --help)`,
    );
  const port = intFlag('dashboard', 'port', values.port as string | undefined, 0);
  if (port !== undefined && port > 65_535)
    throw new UsageError(`curfew dashboard: --port must be at most 65535, got "${values.port}"`);
  const host = values.host as string | undefined;
  if (host !== undefined && !host.trim()) throw new UsageError('curfew dashboard: --host needs an address');
  return { port, host };
}

export const dashboardCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const options = parse(args);
    if (!options) {
      ctx.out(USAGE);
      return 0;
    }
    const { serve } = await loadDashboard(ctx.env);
    const stopped = untilSignal();
    const store = await openCliStore(ctx.env);
    try {
      const { redisUrl, queuePrefix } = queueSettings(ctx.env);
      const handle = await serve({
        db: store.db,
        redis: { url: redisUrl, queuePrefix },
        log: ctx.out,
        ...options,
      });
      ctx.out(dashboardLine('curfew dashboard', handle));
      const signal = await stopped;
      ctx.out(`curfew dashboard: ${signal}, stopping`);
      await handle.close();
    } finally {
      await store.close();
    }
    return 0;
  },
};
