import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueue, createRedis, QUEUE_NAMES } from '@curfew/queue';
import type { StoreDatabase } from '@curfew/store';
import type { GridOptions } from './curves/align-curves';
import { LiveTopics } from './live/live-topics';
import { createApp } from './server/app';

export interface DashboardOptions {
  db: StoreDatabase;
  /** The cluster's Redis and queue prefix, for Bull Board; null: no /queues. */
  redis: { url: string; queuePrefix: string } | null;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port. @defaultValue 8700 */
  port?: number;
  /** The operator token that allows cancelling; null: read-only. */
  token: string | null;
  /** How often live pages re-read the database, in milliseconds. @defaultValue 1000 */
  pollMs?: number;
  /** When the port is taken, listen on a free one (`curfew up`) instead of failing. */
  anyPortIfTaken?: boolean;
  /**
   * How long a page's feed is kept after its last watcher left, in milliseconds.
   * @defaultValue 30000
   */
  lingerMs?: number;
  /** How finely curves are downsampled. */
  gridOptions?: GridOptions;
  log: (line: string) => void;
}

export interface DashboardHandle {
  /** Where to open it, e.g. http://127.0.0.1:8700/ */
  url: string;
  port: number;
  readOnly: boolean;
  close(): Promise<void>;
}

export class DashboardListenError extends Error {
  override readonly name = 'DashboardListenError';
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError).once('listening', onListening);
    server.listen(port, host);
  });
}

async function listenOrExplain(server: Server, port: number, host: string, anyPortIfTaken: boolean) {
  try {
    await listen(server, port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && anyPortIfTaken) return listen(server, 0, host);
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} is in use; pick another with --port (or CURFEW_DASHBOARD_PORT)`
        : code === 'EACCES'
          ? `port ${port} needs privileges; pick one above 1023 with --port`
          : `cannot listen on ${host}:${port} (${code ?? (error as Error).message}); check --host`;
    throw new DashboardListenError(`curfew dashboard: ${why}`);
  }
}

/** Starts the dashboard; resolves once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<DashboardHandle> {
  const host = options.host ?? '127.0.0.1';
  const redis = options.redis ? createRedis(options.redis.url, { blocking: false }) : null;
  const prefix = options.redis?.queuePrefix;
  const queues = redis
    ? [createQueue(QUEUE_NAMES.runs, redis, prefix), createQueue(QUEUE_NAMES.experiments, redis, prefix)]
    : [];
  const topics = new LiveTopics({
    pollMs: options.pollMs ?? 1000,
    lingerMs: options.lingerMs,
    log: options.log,
  });
  const app = createApp(
    {
      db: options.db,
      runsQueue: queues[0] ?? null,
      token: options.token,
      topics,
      gridOptions: options.gridOptions ?? {},
      log: options.log,
    },
    { loopback: isLoopback(host), queues },
  );
  const server = createServer(app);
  const closeQueues = async () => {
    // A connection closed while it still connects rejects its pending commands (BullMQ's own
    // set-up ones), which nobody awaits: wait for it first (bounded, for a Redis that is away),
    // then quit, which lets pending replies arrive.
    await Promise.all(queues.map((q) => withinMs(q.waitUntilReady(), 5_000)));
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    if (redis) {
      await withinMs(redis.quit(), 2_000);
      redis.disconnect();
    }
  };
  try {
    await listenOrExplain(server, options.port ?? 8700, host, options.anyPortIfTaken ?? false);
  } catch (error) {
    topics.close();
    await closeQueues();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    readOnly: options.token === null,
    async close() {
      topics.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await closeQueues();
    },
  };
}

/** Waits for `promise` at most `ms`; never rejects. */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
