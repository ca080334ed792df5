import { join } from 'node:path';
import { CheckpointError, readBundle, writeBundle } from './checkpoint-files';

interface LatestMeta {
  state: { step: number; best: { step: number } | null };
}

/** The step of the latest checkpoint in `dir`, or null when it holds none (or cannot be read). */
export async function checkpointStep(dir: string): Promise<number | null> {
  try {
    return (await readBundle<LatestMeta>(dir, 'latest'))?.meta.state.step ?? null;
  } catch {
    // A folder another worker is rewriting, or half gone: not a checkpoint to adopt.
    return null;
  }
}

/**
 * Copies the latest checkpoint of `from` (and the best one it refers to) into `to`, durably and
 * atomically (each bundle's binary is synced before its manifest is renamed into place), if it
 * is still at `step`. `from` is never written: it may belong to another worker. Returns whether
 * it was adopted; a read that races with that worker's next write gives false, not an error.
 */
export async function adoptCheckpoint(from: string, to: string, step: number): Promise<boolean> {
  let latest: Awaited<ReturnType<typeof readBundle<LatestMeta>>>;
  let best: Awaited<ReturnType<typeof readBundle<{ best?: { step: number } }>>> = null;
  try {
    latest = await readBundle<LatestMeta>(from, 'latest');
    if (!latest || latest.meta.state.step !== step) return false;
    best = await readBundle(from, 'best');
  } catch (error) {
    if ((error as Error).name === 'CheckpointError' || (error as { code?: string }).code === 'ENOENT')
      return false;
    throw new CheckpointError(`${join(from, 'latest.json')}: cannot read it: ${(error as Error).message}`);
  }
  // The best weights only belong with this checkpoint if they are the best it knows of.
  if (best && best.meta.best?.step === latest.meta.state.best?.step)
    await writeBundle(to, 'best', best.meta, best.arrays);
  await writeBundle(to, 'latest', latest.meta, latest.arrays);
  return true;
}
