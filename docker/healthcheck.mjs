// Container health check: exits 0 when this container reaches Redis (REDIS_URL) and PostgreSQL
// (DATABASE_URL) within five seconds, 1 with the reason otherwise. Run from the image's /app.
import { Redis } from 'ioredis';
import pg from 'pg';

const timeoutMs = 5_000;

async function redisAnswers(url) {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } finally {
    redis.disconnect();
  }
}

async function postgresAnswers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    return (await client.query('select 1 as ok')).rows[0]?.ok === 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

try {
  const { REDIS_URL, DATABASE_URL } = process.env;
  if (!REDIS_URL || !DATABASE_URL) throw new Error('REDIS_URL and DATABASE_URL must be set');
  if (!(await redisAnswers(REDIS_URL))) throw new Error('Redis did not answer PING');
  if (!(await postgresAnswers(DATABASE_URL))) throw new Error('PostgreSQL did not answer');
  process.exit(0);
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
