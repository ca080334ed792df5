import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Named float arrays stored in one binary file beside a JSON manifest. */
export type ArrayBundle = ReadonlyMap<string, Float32Array>;

interface ArrayEntry {
  key: string;
  offset: number;
  length: number;
}

interface Manifest<M> {
  version: 1;
  file: string;
  arrays: ArrayEntry[];
  meta: M;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const MANIFEST_VERSION = 1;
/** The manifests of a run folder; other files there (a caller's own notes) are left alone. */
const MANIFEST_NAMES = new Set(['latest.json', 'best.json']);

async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/**
 * Writes `<name>.json` pointing at a fresh binary file, durably and atomically: the binary is
 * synced before the manifest is renamed into place, so a crash at any moment leaves either the
 * old checkpoint or the new one, never half of one. Returns the bytes written.
 */
export async function writeBundle<M>(
  dir: string,
  name: string,
  meta: M,
  arrays: ArrayBundle,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  let length = 0;
  for (const values of arrays.values()) length += values.length;
  const buffer = new Float32Array(length);
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [key, values] of arrays) {
    buffer.set(values, offset);
    entries.push({ key, offset, length: values.length });
    offset += values.length;
  }
  const file = `${name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.bin`;
  await writeDurably(join(dir, file), new Uint8Array(buffer.buffer));
  const manifest: Manifest<M> = { version: MANIFEST_VERSION, file, arrays: entries, meta };
  await writeDurably(join(dir, `${name}.json`), JSON.stringify(manifest));
  await removeStale(dir);
  return buffer.byteLength;
}

/** Reads `<name>.json` and its arrays; null when there is no such checkpoint. */
export async function readBundle<M>(
  dir: string,
  name: string,
): Promise<{ meta: M; arrays: ArrayBundle } | null> {
  let text: string;
  try {
    text = await readFile(join(dir, `${name}.json`), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
  const manifest = JSON.parse(text) as Manifest<M>;
  if (manifest.version !== MANIFEST_VERSION) {
    throw new CheckpointError(`${join(dir, `${name}.json`)}: unknown checkpoint version ${manifest.version}`);
  }
  const bytes = await readFile(join(dir, manifest.file));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const arrays = new Map<string, Float32Array>();
  for (const entry of manifest.arrays) {
    if (entry.offset + entry.length > all.length) {
      throw new CheckpointError(`${join(dir, manifest.file)}: truncated (array ${entry.key})`);
    }
    arrays.set(entry.key, all.slice(entry.offset, entry.offset + entry.length));
  }
  return { meta: manifest.meta, arrays };
}

/** Deletes binaries and temp files no manifest points at (left by replaced or interrupted writes). */
async function removeStale(dir: string): Promise<void> {
  const names = await readdir(dir);
  const live = new Set<string>();
  for (const name of names.filter((n) => MANIFEST_NAMES.has(n))) {
    try {
      live.add((JSON.parse(await readFile(join(dir, name), 'utf8')) as Manifest<unknown>).file);
    } catch {
      // A manifest being replaced right now: keep everything this round.
      return;
    }
  }
  const stale = names.filter((n) => (n.endsWith('.bin') && !live.has(n)) || n.endsWith('.tmp'));
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
}
