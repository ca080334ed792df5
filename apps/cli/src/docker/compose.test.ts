import { existsSync } from 'node:fs';
import { DashboardEnv } from '@curfew/dashboard';
import { WorkerEnv } from '@curfew/worker';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { main } from '../cli';
import { CliEnv } from '../env';
import { REPO_ROOT } from '../test/run-cli';
import { type ComposeService, dockerfileArray, interpolate, readCompose, readRepoFile } from './compose-file';

const compose = readCompose();
const services = compose.services;
/** The services that run curfew itself (our images), by the curfew command they run. */
const curfewServices = Object.entries(services).filter(([, s]) => s.build);
const keysOf = (...schemas: z.ZodObject[]) => new Set(schemas.flatMap((s) => Object.keys(s.shape)));
/** Which variables each command reads: the CLI's own, plus those of the app it starts. */
const ENV_OF: Record<string, { keys: Set<string>; schemas: z.ZodObject[] }> = {
  worker: { keys: keysOf(CliEnv, WorkerEnv), schemas: [CliEnv, WorkerEnv] },
  dashboard: { keys: keysOf(CliEnv, DashboardEnv), schemas: [CliEnv, DashboardEnv] },
  up: { keys: keysOf(CliEnv, WorkerEnv, DashboardEnv), schemas: [CliEnv, WorkerEnv, DashboardEnv] },
};
const trainer = JSON.parse(readRepoFile('packages/trainer/package.json')) as {
  optionalDependencies: Record<string, string>;
};

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('docker/compose.yaml', () => {
  it('has the state services, a scheduler, CPU workers and the dashboard, and GPU workers only in the gpu profile', () => {
    expect(Object.keys(services).sort()).toEqual([
      'dashboard',
      'gpu-worker',
      'postgres',
      'redis',
      'scheduler',
      'worker',
    ]);
    for (const [name, service] of Object.entries(services))
      expect(service.profiles, name).toEqual(name === 'gpu-worker' ? ['gpu'] : undefined);
    expect(interpolate('a ${X:-2} ${Y} ${Z-3}')).toBe('a 2  3');
    expect(String(services.worker?.deploy?.replicas)).toBe('2');
  });

  it('gives every service a health check and a restart policy, and starts ours once Redis and Postgres are healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(1);
      expect(service.restart, name).toBe('unless-stopped');
    }
    for (const [name, service] of curfewServices)
      expect(service.depends_on, name).toEqual({
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
    expect(existsSync(`${REPO_ROOT}docker/healthcheck.mjs`)).toBe(true);
  });

  it('keeps Redis on disk (append-only file on a volume) and Postgres on a volume', () => {
    const redis = services.redis as ComposeService;
    expect(redis.command?.join(' ')).toContain('--appendonly yes');
    expect(redis.command?.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.volumes).toEqual(['redis:/data']);
    expect(services.postgres?.volumes?.[0]).toBe('postgres:/var/lib/postgresql/data');
    for (const volume of ['redis', 'postgres', 'artifacts']) expect(compose.volumes).toHaveProperty(volume);
  });

  it("runs only commands the CLI has, with options it accepts, through the images' entrypoint", async () => {
    expect(curfewServices.map(([name]) => name).sort()).toEqual([
      'dashboard',
      'gpu-worker',
      'scheduler',
      'worker',
    ]);
    for (const [name, service] of curfewServices) {
      const dockerfile = readRepoFile(service.build?.dockerfile as string);
      const [node, bin] = dockerfileArray(dockerfile, 'ENTRYPOINT');
      expect(node, name).toBe('node');
      expect(existsSync(`${REPO_ROOT}${bin}`), `${name}: ${bin}`).toBe(true);
      const command = service.command as string[];
      // --help after the options: the command parses them all (an unknown one exits 2) and says how it is used.
      const help = await cli([...command, '--help']);
      expect({ name, code: help.code, err: help.err }).toEqual({ name, code: 0, err: '' });
      expect(help.out, name).toContain(`Usage: curfew ${command[0]}`);
    }
  });

  it("sets only variables the apps' env.ts schemas read, with values they accept", () => {
    for (const [name, service] of curfewServices) {
      const env = service.environment ?? {};
      const reads = ENV_OF[(service.command as string[])[0] as string];
      expect(reads, name).toBeDefined();
      for (const key of Object.keys(env)) expect(reads?.keys.has(key), `${name}: ${key}`).toBe(true);
      for (const schema of reads?.schemas ?? []) {
        const parsed = schema.safeParse(env);
        expect(parsed.success, `${name}: ${parsed.error?.message}`).toBe(true);
      }
    }
  });

  it('creates a role for curfew that is no superuser and owns the database, and connects as it', () => {
    const postgres = services.postgres as ComposeService;
    expect(postgres.volumes).toContain('./postgres-init.sh:/docker-entrypoint-initdb.d/10-curfew-role.sh:ro');
    const init = readRepoFile('docker/postgres-init.sh');
    expect(init).toContain('CREATE ROLE curfew LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD');
    expect(init).toContain(`ALTER DATABASE ${postgres.environment?.POSTGRES_DB} OWNER TO curfew;`);
    expect(new URL(services.worker?.environment?.DATABASE_URL as string).username).not.toBe(
      postgres.environment?.POSTGRES_USER,
    );
  });

  it('points every worker, the scheduler and the dashboard at the one Redis and the one Postgres', () => {
    const pgEnv = services.postgres?.environment ?? {};
    const databaseUrl = `postgres://curfew:${pgEnv.CURFEW_DB_PASSWORD}@postgres:5432/${pgEnv.POSTGRES_DB}`;
    for (const [name, service] of curfewServices) {
      expect(service.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(service.environment?.DATABASE_URL, name).toBe(databaseUrl);
      expect(service.environment?.CURFEW_QUEUE_PREFIX, name).toBe('{curfew}');
    }
  });

  it('keeps checkpoints on a volume the workers share, where CURFEW_ARTIFACTS says', () => {
    for (const name of ['worker', 'gpu-worker']) {
      const service = services[name] as ComposeService;
      expect(service.volumes, name).toEqual([`artifacts:${service.environment?.CURFEW_ARTIFACTS}`]);
    }
  });

  it('serves the dashboard on every interface of its container, published on the host’s loopback, with its health check on the same port', () => {
    const dashboard = services.dashboard as ComposeService;
    const command = dashboard.command as string[];
    const port = command[command.indexOf('--port') + 1];
    expect(command[command.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(dashboard.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect(dashboard.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
  });

  it('builds the CPU image with tfjs-node and the GPU image on CUDA with tfjs-node-gpu and PyTorch', () => {
    const cpu = readRepoFile(services.worker?.build?.dockerfile as string);
    const gpu = readRepoFile(services['gpu-worker']?.build?.dockerfile as string);
    // The packages the trainer lists, allowed to install their native TensorFlow.
    expect(Object.keys(trainer.optionalDependencies).sort()).toEqual([
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
    ]);
    expect(cpu).toContain('allow-scripts=@tensorflow/tfjs-node\\n');
    expect(cpu).toContain('rm -rf node_modules/@tensorflow/tfjs-node-gpu');
    expect(gpu).toMatch(/^FROM nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-/m);
    expect(gpu).toContain('allow-scripts=@tensorflow/tfjs-node-gpu\\n');
    expect(gpu).toContain('rm -rf node_modules/@tensorflow/tfjs-node ');
    expect(gpu).toMatch(/pip install .*"torch==\$\{TORCH_VERSION\}"/);
    const devices = services['gpu-worker']?.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toMatchObject([{ driver: 'nvidia', capabilities: ['gpu'] }]);
    expect(services['gpu-worker']?.environment?.CURFEW_BACKEND).toBe('node-gpu');
    expect(services.worker?.environment?.CURFEW_BACKEND).toBe('node');
    // The pinned npm is the repository's.
    const { packageManager } = JSON.parse(readRepoFile('package.json')) as { packageManager: string };
    for (const file of [cpu, gpu]) expect(file).toContain(`npm install -g ${packageManager}`);
  });
});
