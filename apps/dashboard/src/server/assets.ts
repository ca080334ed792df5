import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
/**
 * The browser code's sources, found through the package rather than this file's own place: the
 * CLI bundles this module into apps/cli/dist, where a path relative to it would point nowhere.
 */
const CLIENT = (file: string) =>
  path.join(path.dirname(require.resolve('@curfew/dashboard/package.json')), 'src', 'client', file);

/** The browser code: the dashboard's pages, or the static report's charts. */
export type Bundle = 'dashboard' | 'report';

const ENTRIES: Record<Bundle, string> = { dashboard: 'main.ts', report: 'report-entry.ts' };

const bundles = new Map<Bundle, Promise<string>>();

/** uPlot's copyright notice (MIT), which its minified build would otherwise drop. */
function uplotNotice(): string {
  const { version } = require('uplot/package.json') as { version: string };
  return `/*! uPlot ${version} (MIT License), Copyright (c) 2025, Leon Sorokin */`;
}

/**
 * One script with uPlot and our chart code inside, built from the TypeScript sources on first
 * use (esbuild, a few tens of milliseconds) and kept. No build step, and the static report
 * inlines exactly what the dashboard serves.
 */
export function bundleScript(bundle: Bundle): Promise<string> {
  let built = bundles.get(bundle);
  if (!built) {
    built = (async () => {
      const { build } = await import('esbuild');
      const result = await build({
        entryPoints: [CLIENT(ENTRIES[bundle])],
        bundle: true,
        format: 'iife',
        minify: true,
        target: 'es2020',
        platform: 'browser',
        legalComments: 'inline',
        banner: { js: uplotNotice() },
        write: false,
        logLevel: 'silent',
      });
      return (result.outputFiles[0] as { text: string }).text;
    })();
    bundles.set(bundle, built);
    built.catch(() => bundles.delete(bundle));
  }
  return built;
}

let styles: Promise<string> | undefined;

/** uPlot's style sheet, then ours. */
export function styleSheet(): Promise<string> {
  styles ??= Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    readFile(CLIENT('styles.css'), 'utf8'),
  ]).then(([uplot, ours]) => `${uplot}\n${ours}`);
  return styles;
}

/** uPlot's style sheet alone (the report has its own). */
export function chartStyleSheet(): Promise<string> {
  return readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
}
