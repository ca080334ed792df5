// Makes sure the services curfew's tests and local cluster need are running: Redis and, for the
// server-side store tests, PostgreSQL. Starts them when installed but stopped, installs them with
// apt-get when missing (root only), and says in one line what to do when neither works.
// Plain Node with no dependencies: it runs before anything else.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const log = (msg) => process.stderr.write(`[services] ${msg}\n`);

function hostPort(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

/** Sends `payload` on a fresh TCP connection and resolves with the first bytes back (or null). */
function probe({ host, port }, payload, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('connect', () => (payload ? socket.write(payload) : done('')));
    socket.on('data', (buf) => done(buf.toString('latin1')));
  });
}

const redisUp = async (hp) => (await probe(hp, 'PING\r\n'))?.startsWith('+PONG') ?? false;
// An SSLRequest gets a one-byte answer ('S' or 'N') from any PostgreSQL server.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
const postgresUp = async (hp) => {
  const answer = await probe(hp, SSL_REQUEST);
  return answer === 'S' || answer === 'N';
};

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const which = (cmd) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

let aptUpdated = false;
function aptInstall(pkg) {
  if (!isRoot() || !which('apt-get')) return false;
  log(`installing ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    aptUpdated = true;
  }
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
    stdio: 'ignore',
    env,
  });
  return r.status === 0;
}

export async function ensureRedis(url = process.env.REDIS_URL || DEFAULT_REDIS_URL) {
  const hp = hostPort(url, 6379);
  if (await redisUp(hp)) return { ok: true, url };
  const local = hp.host === '127.0.0.1' || hp.host === 'localhost';
  if (!local) return { ok: false, url, why: `Redis at ${hp.host}:${hp.port} does not answer` };
  if (!which('redis-server')) aptInstall('redis-server');
  if (!which('redis-server')) {
    return { ok: false, url, why: 'redis-server is not installed (apt-get install redis-server)' };
  }
  const dir = path.resolve('.curfew', 'redis');
  mkdirSync(dir, { recursive: true });
  log(`starting redis-server on port ${hp.port}`);
  execFileSync('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    String(hp.port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--logfile',
    path.join(dir, 'redis.log'),
  ]);
  if (await waitFor(() => redisUp(hp), 10_000)) return { ok: true, url };
  return { ok: false, url, why: `redis-server did not answer on port ${hp.port}; see ${dir}/redis.log` };
}

function startDebianClusters() {
  if (!which('pg_ctlcluster') || !existsSync('/etc/postgresql')) return false;
  for (const version of readdirSync('/etc/postgresql')) {
    for (const cluster of readdirSync(path.join('/etc/postgresql', version))) {
      log(`starting PostgreSQL cluster ${version}/${cluster}`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'start'], {
        stdio: 'ignore',
      });
    }
  }
  return true;
}

/** A stock Debian cluster asks TCP users for a password; let the tests' local user in without one. */
function trustLocalTcp() {
  const script = `for f in /etc/postgresql/*/*/pg_hba.conf; do
    grep -q '^host all all 127.0.0.1/32 trust' "$f" || sed -i '1i host all all 127.0.0.1/32 trust\\nhost all all ::1/128 trust' "$f"; done`;
  spawnSync('sh', ['-c', script], { stdio: 'ignore' });
  if (!which('pg_ctlcluster') || !existsSync('/etc/postgresql')) return;
  for (const version of readdirSync('/etc/postgresql')) {
    for (const cluster of readdirSync(path.join('/etc/postgresql', version))) {
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'reload'], {
        stdio: 'ignore',
      });
    }
  }
}

/** Whether the URL's user can log in (a server that answers may still refuse the password-less test user). */
async function canLogin(url) {
  let pg;
  try {
    pg = (await import('pg')).default;
  } catch {
    return { ok: true }; // before npm ci: the protocol probe is all we can do
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return { ok: true };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Up and accepting the test user; on a local cluster as root, trusts local TCP logins once if needed. */
async function usablePostgres(url, hp) {
  let login = await canLogin(url);
  const local = hp.host === '127.0.0.1' || hp.host === 'localhost';
  if (!login.ok && local && isRoot()) {
    log('the test user cannot log in; trusting local TCP logins in pg_hba.conf');
    trustLocalTcp();
    await waitFor(async () => {
      login = await canLogin(url);
      return login.ok;
    }, 10_000);
  }
  return login.ok ? { ok: true, url } : { ok: false, url, why: `cannot log in to PostgreSQL: ${login.why}` };
}

export async function ensurePostgres(url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL) {
  const hp = hostPort(url, 5432);
  if (await postgresUp(hp)) return usablePostgres(url, hp);
  const local = hp.host === '127.0.0.1' || hp.host === 'localhost';
  if (!local) return { ok: false, url, why: `PostgreSQL at ${hp.host}:${hp.port} does not answer` };
  let started = startDebianClusters();
  if (!started && aptInstall('postgresql')) {
    trustLocalTcp();
    started = startDebianClusters();
  }
  if (!started) return { ok: false, url, why: 'PostgreSQL is not installed (apt-get install postgresql)' };
  if (await waitFor(() => postgresUp(hp), 20_000)) return usablePostgres(url, hp);
  return { ok: false, url, why: `PostgreSQL did not answer on ${hp.host}:${hp.port}` };
}

export async function ensureServices({ need = ['redis', 'postgres'] } = {}) {
  const results = {};
  if (need.includes('redis')) results.redis = await ensureRedis();
  if (need.includes('postgres')) results.postgres = await ensurePostgres();
  return results;
}
