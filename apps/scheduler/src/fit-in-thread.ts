import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StoredStopModels } from '@curfew/decisions';
import type { FitOptions, FitRun, FittedState } from '@curfew/meta';
import type { Curve } from '@curfew/policies';

export type FitRequest =
  | { kind: 'stop-models'; curves: Curve[] }
  | { kind: 'meta'; history: FitRun[]; options: FitOptions & { historyRuns?: number } };

type FitAnswer = { ok: true; result: unknown } | { ok: false; name: string; message: string };

/**
 * The thread: the bundle's fit-thread.js beside its chunks in the built CLI (scripts/build-cli.mjs
 * builds it), else the TypeScript source, which a small bootstrap loads through tsx's API as the
 * bins load the sources (a worker's execArgv cannot take --import).
 */
function startThread(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./fit-thread.js', import.meta.url));
  // tsx's ESM API ("tsx/esm/api" under the import condition, which require.resolve does not take).
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./fit-thread.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** Runs one fit on a worker thread of its own; its error comes back with the same name. */
function fitInThread<T>(request: FitRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startThread();
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (answer: FitAnswer) =>
      settle(() => {
        if (answer.ok) resolve(answer.result as T);
        else reject(Object.assign(new Error(answer.message), { name: answer.name }));
      }),
    );
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`the refit's fit thread exited (code ${code}) before it answered`))),
    );
    worker.postMessage(request);
  });
}

/** The stop models' fit (refitStopModels' `fit`), off the calling thread. */
export const fitStopModelsInThread = (curves: Curve[]) =>
  fitInThread<StoredStopModels>({ kind: 'stop-models', curves });

/** The meta-learner's fit (fitMetaModel's `runFit`), off the calling thread. */
export const fitMetaInThread = (history: FitRun[], options: FitOptions & { historyRuns?: number }) =>
  fitInThread<FittedState>({ kind: 'meta', history, options });
