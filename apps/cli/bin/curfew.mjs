#!/usr/bin/env node
// The `curfew` command: runs the built CLI (apps/cli/dist, bundled by scripts/build-cli.mjs, which
// `npm ci` runs as the repository's prepare step), not the TypeScript sources.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/curfew.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'curfew: the command is not built (apps/cli/dist/curfew.js is missing): run `npm run build:cli` in the repository\n',
  );
  process.exit(1);
}
await import(entry.href);
