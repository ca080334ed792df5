// Builds the `curfew` command (apps/cli/bin/curfew.mjs runs it): one esbuild bundle of the CLI and
// of our workspace packages (TypeScript), split per command so that `curfew --version` loads
// almost nothing; everything under node_modules stays external and is loaded by Node as usual.
// The root `prepare` script runs it, so `npm ci` alone produces apps/cli/dist. Plain Node: it is
// also the CLI tests' global setup (they run the built command, as users do).
import { renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_DIST = fileURLToPath(new URL('../apps/cli/dist/', import.meta.url));

/** Bare imports stay external, except our own workspace packages, which are TypeScript sources. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@curfew/') ? undefined : { path: args.path, external: true },
    );
  },
};

export async function buildCli({ quiet = false } = {}) {
  const started = Date.now();
  // Built beside, then swapped in: a curfew process that is running keeps finding its chunks
  // for all but an instant, and a failed build leaves the previous one in place.
  const next = CLI_DIST.replace(/\/$/, `.next-${process.pid}`);
  const previous = CLI_DIST.replace(/\/$/, `.previous-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    // fit-thread: the scheduler's refit runs its fits on a worker thread, from a file of its own.
    entryPoints: { curfew: 'apps/cli/src/main.ts', 'fit-thread': 'apps/scheduler/src/fit-thread.ts' },
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Chunks sit beside curfew.js: code that finds files relative to import.meta.url (the
    // migrations folder, the repository's scripts) sees the same depth from every chunk.
    chunkNames: '[name]-[hash]',
    plugins: [externalDependencies],
    logLevel: 'warning',
  });
  try {
    renameSync(CLI_DIST, previous);
  } catch {
    // first build
  }
  renameSync(next, CLI_DIST);
  rmSync(previous, { recursive: true, force: true });
  if (!quiet) console.log(`built apps/cli/dist in ${Date.now() - started} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await buildCli();
  } catch (error) {
    // esbuild has already printed the problems, one per file and line.
    console.error(`build-cli: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
    process.exit(1);
  }
}
