#!/usr/bin/env node
// `npm run demo`: the end-to-end demo (curfew demo) on a local cluster. Redis and PostgreSQL are
// started (or installed, as root) when they are missing; without PostgreSQL the demo runs on
// the embedded database.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../apps/cli/bin/curfew.mjs', import.meta.url));
const result = spawnSync(process.execPath, [bin, 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
