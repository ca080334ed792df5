import { spawnSync } from 'node:child_process';
import { DEFAULT_REDIS_URL } from '@curfew/queue';
import { TEST_DATABASE_URL } from '@curfew/store/testing';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/run-cli';

/** The containers' health check, as docker runs it: `node docker/healthcheck.mjs` from the image's /app. */
function healthcheck(env: Record<string, string>) {
  const { PATH } = process.env;
  return spawnSync(process.execPath, ['docker/healthcheck.mjs'], {
    cwd: REPO_ROOT,
    env: { PATH, ...env },
    encoding: 'utf8',
  });
}

describe('docker/healthcheck.mjs', () => {
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

  it('passes when Redis and PostgreSQL answer', () => {
    const result = healthcheck({ REDIS_URL: redisUrl, DATABASE_URL: TEST_DATABASE_URL });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails in one line when one of them does not, or is not configured', () => {
    const noPostgres = new URL(TEST_DATABASE_URL);
    noPostgres.port = '1';
    const down = healthcheck({ REDIS_URL: redisUrl, DATABASE_URL: noPostgres.toString() });
    expect(down.status).toBe(1);
    expect(down.stderr.trim()).toMatch(/^unhealthy: .*ECONNREFUSED/);
    const unset = healthcheck({ REDIS_URL: redisUrl });
    expect(unset.status).toBe(1);
    expect(unset.stderr.trim()).toBe('unhealthy: REDIS_URL and DATABASE_URL must be set');
  });
});
