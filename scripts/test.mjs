// `npm test`: start the services the suite talks to, then lint, typecheck and test every workspace.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureServices } from './services.mjs';

const results = await ensureServices();
const unavailable = Object.entries(results).filter(([, r]) => !r.ok);
for (const [name, r] of unavailable) console.error(`npm test: ${name} unavailable: ${r.why}`);
if (unavailable.length > 0) {
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
const workspaces = ['apps', 'packages'].flatMap((dir) =>
  existsSync(dir) ? readdirSync(dir).map((name) => path.join(dir, name)) : [],
);
const reportOf = (ws) => path.join(ws, 'test-results', 'vitest.json');
for (const ws of workspaces) rmSync(reportOf(ws), { force: true });

// Two tasks at a time: the integration suites train models and start worker processes, and
// more of them at once on a 2-core machine only turns their waits into timeouts.
const turbo = spawnSync(
  'npx',
  ['turbo', 'run', 'lint', 'lint:root', 'typecheck', 'test', '--concurrency=2', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env,
  },
);

// One closing line over every workspace's vitest report, so a reader (or CI) sees the totals.
let passed = 0;
let failed = 0;
let skipped = 0;
for (const ws of workspaces) {
  if (!existsSync(reportOf(ws))) continue;
  const report = JSON.parse(readFileSync(reportOf(ws), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
// A turbo that was killed or never started (status null) is a failure, whatever the reports say.
if (turbo.status !== 0) process.exit(turbo.status ?? 1);
process.exit(failed > 0 ? 1 : 0);
