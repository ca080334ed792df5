import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExperimentSpec, experimentRecord, parseSpec } from '@curfew/spec';
import { openStore, type Store, submitExperiment } from '@curfew/store';
import { sql } from 'drizzle-orm';
import { type OwnPostgres, type OwnRedis, waitUntil } from './servers';

const SCHEDULER_BIN = fileURLToPath(new URL('../../bin/scheduler.mjs', import.meta.url));
const WORKER_BIN = fileURLToPath(new URL('../../../worker/bin/worker.mjs', import.meta.url));

/** A scheduler or worker process of a fault test, with its output kept for failure messages. */
export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  /** Resolves once its output matches `pattern` (from `since`, an offset into the output). */
  waitFor(pattern: RegExp, timeoutMs: number, since?: number): Promise<void>;
  /** SIGKILL, and wait for it to be gone. */
  kill(): Promise<void>;
}

export interface FaultClusterServers {
  redis: OwnRedis;
  postgres: OwnPostgres;
}

/**
 * One fault test's world on the test's own Redis and PostgreSQL: a fresh database and queue
 * prefix and artifacts folder, and real scheduler and worker processes (`node` on their bins).
 */
export class FaultCluster {
  readonly procs: Proc[] = [];
  private constructor(
    readonly servers: FaultClusterServers,
    readonly store: Store,
    readonly databaseUrl: string,
    private readonly database: string,
    readonly prefix: string,
    readonly artifactsDir: string,
  ) {}

  static async create(servers: FaultClusterServers): Promise<FaultCluster> {
    const database = `faults_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const admin = await openStore({ databaseUrl: servers.postgres.url(), migrate: false });
    try {
      await admin.db.execute(sql.raw(`create database ${database}`));
    } finally {
      await admin.close();
    }
    const databaseUrl = servers.postgres.url(database);
    const store = await openStore({ databaseUrl });
    const artifactsDir = await mkdtemp(path.join(tmpdir(), 'curfew-faults-artifacts-'));
    return new FaultCluster(servers, store, databaseUrl, database, `{faults-${randomUUID()}}`, artifactsDir);
  }

  get db() {
    return this.store.db;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.servers.redis.url,
      CURFEW_QUEUE_PREFIX: this.prefix,
      CURFEW_ARTIFACTS: this.artifactsDir,
      CURFEW_HOME: path.join(this.artifactsDir, '.home'),
      CURFEW_BACKEND: 'cpu',
      // A dead worker's run is re-delivered within about 4 s.
      CURFEW_LOCK_DURATION_MS: '3000',
      CURFEW_STALLED_INTERVAL_MS: '1000',
      CURFEW_SCHEDULER_POLL_MS: '300',
      CURFEW_DB_RETRY_MS: '90000',
      ...extra,
    };
  }

  startScheduler(): Proc {
    return this.spawn(`scheduler ${this.procs.length + 1}`, SCHEDULER_BIN);
  }

  startWorker(): Proc {
    return this.spawn(`worker ${this.procs.length + 1}`, WORKER_BIN);
  }

  /** Stores a spec as a new experiment, as `curfew submit` does; the scheduler finds it. */
  async submit(spec: ExperimentSpec): Promise<string> {
    return submitExperiment(this.db, experimentRecord(spec));
  }

  /** Every process's output, for a failure message. */
  outputs(): string {
    return this.procs.map((p) => `--- ${p.name}:\n${p.output()}`).join('\n');
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill()));
    await this.store.close();
    const admin = await openStore({ databaseUrl: this.servers.postgres.url(), migrate: false });
    try {
      await admin.db.execute(sql.raw(`drop database if exists ${this.database} with (force)`));
    } finally {
      await admin.close();
    }
    await rm(this.artifactsDir, { recursive: true, force: true });
  }

  private spawn(name: string, bin: string): Proc {
    const child = spawn(process.execPath, [bin], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
    const proc: Proc = {
      name: `${name} (pid ${child.pid})`,
      child,
      output: () => text,
      waitFor: (pattern, timeoutMs, since = 0) =>
        waitUntil(`${name} to print ${pattern}`, async () => pattern.test(text.slice(since)), timeoutMs).then(
          () => undefined,
        ),
      kill: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    };
    this.procs.push(proc);
    return proc;
  }
}

/** A valid spec from a plain object, or the problems as an error. */
export function specOf(input: Record<string, unknown>): ExperimentSpec {
  const result = parseSpec(JSON.stringify(input), { filename: 'spec.json' });
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return result.spec;
}
