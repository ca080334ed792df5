import * as tf from '@tensorflow/tfjs';

/** Backends best first; the one in use is recorded on every run. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export class BackendError extends Error {
  override readonly name = 'BackendError';
}

export interface SelectedBackend {
  name: BackendName;
  /** Why each better backend was skipped (missing package, failed to load). */
  skipped: Partial<Record<BackendName, string>>;
}

/** Loads the backend's package; resolves the TF.js backend name it registers. */
async function load(name: BackendName): Promise<string> {
  switch (name) {
    case 'node-gpu':
      await import('@tensorflow/tfjs-node-gpu' as string);
      return 'tensorflow';
    case 'node':
      await import('@tensorflow/tfjs-node' as string);
      return 'tensorflow';
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return 'wasm';
    case 'cpu':
      return 'cpu';
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed to load';
}

async function activate(name: BackendName): Promise<void> {
  const tfName = await load(name);
  if (!(await tf.setBackend(tfName))) throw new Error(`TF.js could not initialise backend ${tfName}`);
  await tf.ready();
}

/** The automatic choice, made once per process (TF.js has one global engine). */
let automatic: SelectedBackend | undefined;

/**
 * Picks the best backend that loads (node-gpu, node, wasm, then plain JS), or exactly `forced`
 * (`CURFEW_BACKEND`): a forced backend that cannot load is an error, not a silent fallback.
 * Selecting again is cheap: packages load once and TF.js keeps its backends registered.
 */
export async function selectBackend(forced?: BackendName): Promise<SelectedBackend> {
  if (forced === undefined && automatic) {
    await activate(automatic.name);
    return automatic;
  }
  // Prod mode: no per-op NaN checks, no "install tfjs-node" banner on the plain JS backend.
  tf.enableProdMode();
  if (forced !== undefined) {
    try {
      await activate(forced);
    } catch (error) {
      throw new BackendError(
        `CURFEW_BACKEND=${forced}: the ${forced} backend is unavailable (${reasonOf(error)})`,
      );
    }
    return { name: forced, skipped: {} };
  }
  const skipped: Partial<Record<BackendName, string>> = {};
  for (const name of BACKEND_NAMES) {
    try {
      await activate(name);
      automatic = { name, skipped };
      return automatic;
    } catch (error) {
      skipped[name] = reasonOf(error);
    }
  }
  throw new BackendError('no TF.js backend could be initialised');
}

/** Parses a backend name (e.g. from `CURFEW_BACKEND`), naming the valid ones when it is not one. */
export function parseBackendName(value: string, where = 'CURFEW_BACKEND'): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new BackendError(
    `${where}: expected one of ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(value)}`,
  );
}
