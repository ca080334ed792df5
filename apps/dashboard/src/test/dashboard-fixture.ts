import { randomUUID } from 'node:crypto';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import type { TestBackend, TestDatabase } from '@curfew/store/testing';
import { type DashboardHandle, startDashboard } from '../start-dashboard';

export const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

export interface DashboardFixture {
  database: TestDatabase;
  dashboard: DashboardHandle;
  queuePrefix: string;
  /** Lines the dashboard logged. */
  logged: string[];
  get(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A dashboard on a fresh database of `backend`, on its own queue prefix and a free port. */
export async function dashboardFixture(
  backend: TestBackend,
  options: { token?: string | null; seed?: (database: TestDatabase) => Promise<void>; pollMs?: number } = {},
): Promise<DashboardFixture> {
  const database = await backend.create();
  const queuePrefix = `{test-${randomUUID()}}`;
  const logged: string[] = [];
  try {
    await options.seed?.(database);
    const dashboard = await startDashboard({
      db: database.store.db,
      redis: { url: REDIS_URL, queuePrefix },
      port: 0,
      token: options.token ?? null,
      pollMs: options.pollMs ?? 100,
      log: (line) => logged.push(line),
    });
    return {
      database,
      dashboard,
      queuePrefix,
      logged,
      get: (path, init) => fetch(new URL(path, dashboard.url), init),
      async close() {
        await dashboard.close();
        const redis = createRedis(REDIS_URL, { blocking: false });
        for (const name of [QUEUE_NAMES.runs, QUEUE_NAMES.experiments]) {
          const queue = createQueue(name, redis, queuePrefix);
          await queue.obliterate({ force: true }).catch(() => undefined);
          await queue.close();
        }
        await redis.quit().catch(() => redis.disconnect());
        await database.cleanup();
      },
    };
  } catch (error) {
    await database.cleanup();
    throw error;
  }
}

export interface ServerEvent {
  event: string;
  data: unknown;
}

/** Reads a server-sent event stream as a browser would, event by event. */
export class EventReader {
  readonly events: ServerEvent[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(response: Response) {
    this.reader = (response.body as ReadableStream<Uint8Array>).getReader();
  }

  /** Reads until `until` accepts the events so far; fails after `timeoutMs`. */
  async until(until: (events: readonly ServerEvent[]) => boolean, timeoutMs: number): Promise<ServerEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!until(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`not within ${timeoutMs} ms; got ${this.events.map((e) => e.event).join(', ')}`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('the event stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) this.events.push({ event, data: JSON.parse(data) });
      }
    }
    return this.events;
  }

  close(): Promise<void> {
    return this.reader.cancel().catch(() => undefined);
  }
}
