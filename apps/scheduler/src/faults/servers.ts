import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Servers a fault test starts for itself, so it may kill and restart them (never the shared ones). */

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `ready` holds; fails after `timeoutMs` saying what it waited for. */
export async function waitUntil<T>(
  what: string,
  ready: () => Promise<T | undefined | false>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ready().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A redis-server of our own that keeps nothing on disk: restarted, it is empty. */
export class OwnRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await waitUntil(
      'redis-server to accept connections',
      async () => out.includes('Ready to accept connections'),
      10_000,
    );
  }

  /** SIGKILL: whatever it held is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }
}

/** A PostgreSQL server of our own (initdb runs as the postgres OS user: it refuses root). */
export class OwnPostgres {
  private constructor(
    readonly port: number,
    private readonly root: string,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const root = await mkdtemp(path.join(tmpdir(), 'curfew-faults-pg-'));
    if (process.getuid?.() === 0) await chown(root, ...(await postgresIds()));
    const server = new OwnPostgres(await freePort(), root);
    await asPostgres('initdb', [
      '-D',
      server.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await server.resume();
    return server;
  }

  private get dataDir(): string {
    return path.join(this.root, 'data');
  }

  /** A `postgres://` URL of one of its databases. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    await asPostgres('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      path.join(this.root, 'log'),
      '-o',
      options,
      '-w',
      'start',
    ]);
  }

  /** Stops it at once (`-m fast`: connections are cut, open transactions roll back). */
  async stop(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /**
   * Crashes it (`-m immediate`: every server process quits at once, with no shutdown checkpoint
   * and no write of the WAL still in memory; the next start recovers from the WAL on disk).
   */
  async crash(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(
      (error: Error) => {
        if (!/not running|No such process|does not exist/i.test(error.message)) throw error;
      },
    );
    await rm(this.root, { recursive: true, force: true });
  }
}

async function postgresIds(): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
}

async function asPostgres(tool: string, args: string[]): Promise<void> {
  const binary = path.join(PG_BIN, tool);
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', binary, ...args]);
  else await run(binary, args);
}
