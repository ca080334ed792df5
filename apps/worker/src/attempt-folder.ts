import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ResumableCheckpoint } from '@curfew/decisions';
import { adoptCheckpoint, checkpointStep } from '@curfew/trainer';

/** The artifacts folder cannot take this attempt's checkpoints: retrying elsewhere will not help. */
export class ArtifactsError extends Error {
  override readonly name = 'ArtifactsError';
}

/** errno codes of a folder that cannot be written (unwritable, read-only, full, not a folder). */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'EISDIR']);

/** Whether an error is the artifacts folder refusing a write (by errno code, not class). */
export function isUnwritable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNWRITABLE.has(code);
}

export function artifactsError(where: string, error: unknown): ArtifactsError {
  const { code, message } = error as { code?: string; message?: string };
  return new ArtifactsError(
    `artifacts folder ${where} cannot be written (${code ?? 'error'}: ${message ?? String(error)}); ` +
      'fix CURFEW_ARTIFACTS (a writable folder with free space) and resubmit',
  );
}

/** `<artifacts>/<experiment>/<trial>`: the run's folder, one subfolder per attempt. */
export function runFolder(artifactsDir: string, runId: string): string {
  return path.join(artifactsDir, ...runId.split('/'));
}

export const attemptFolder = (artifactsDir: string, runId: string, attempt: number) =>
  path.join(runFolder(artifactsDir, runId), `attempt-${attempt}`);

/**
 * Creates this attempt's own folder, empty (no two attempts share one, so none deletes another's
 * files), and checks that it takes a synced write: an unwritable or full folder is an
 * ArtifactsError now rather than a crash at the first checkpoint.
 */
export async function prepareAttemptFolder(
  artifactsDir: string,
  runId: string,
  attempt: number,
): Promise<string> {
  const dir = attemptFolder(artifactsDir, runId, attempt);
  try {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.probe-${randomBytes(3).toString('hex')}`);
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile(randomBytes(4096));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(probe);
  } catch (error) {
    throw artifactsError(dir, error);
  }
  return dir;
}

/**
 * Adopts the newest checkpoint of an earlier attempt that the decision service still counts as
 * resumable and whose folder still holds that step, copying it into this attempt's folder.
 * Returns it, or null (the attempt starts from scratch).
 */
export async function adoptNewest(
  artifactsDir: string,
  runId: string,
  dir: string,
  candidates: readonly ResumableCheckpoint[],
): Promise<ResumableCheckpoint | null> {
  for (const candidate of candidates) {
    const from = attemptFolder(artifactsDir, runId, candidate.attempt);
    if ((await checkpointStep(from)) !== candidate.step) continue;
    try {
      if (await adoptCheckpoint(from, dir, candidate.step)) return candidate;
    } catch (error) {
      if (isUnwritable(error)) throw artifactsError(dir, error);
      throw error;
    }
  }
  return null;
}
