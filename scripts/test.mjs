// `npm test`: start the services the suite talks to, then lint, typecheck and test every workspace.
import { spawnSync } from 'node:child_process';
import { ensureServices } from './services.mjs';

const results = await ensureServices();
const failed = Object.entries(results).filter(([, r]) => !r.ok);
for (const [name, r] of failed) console.error(`npm test: ${name} unavailable: ${r.why}`);
if (failed.length > 0) {
  console.error('npm test: the integration tests need real Redis and PostgreSQL; fix the above and re-run.');
  process.exit(1);
}
const env = {
  ...process.env,
  REDIS_URL: results.redis.url,
  TEST_DATABASE_URL: results.postgres.url,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};
const turbo = spawnSync(
  'npx',
  ['turbo', 'run', 'lint', 'lint:root', 'typecheck', 'test', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env,
  },
);
process.exit(turbo.status ?? 1);
