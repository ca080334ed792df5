import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainRun } from '@curfew/trainer';
import { CliError } from '../errors';

/** Written beside the trainer's checkpoints: the settings they were trained with. */
const RUN_FILE = 'train-run.json';

/** `path: value` for every leaf, so two runs can be compared field by field. */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      for (const [k, v] of leaves(inner, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
    }
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

function differences(before: unknown, now: unknown): string[] {
  const a = leaves(before);
  const b = leaves(now);
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
  return keys.map((k) => `${k}: ${a.get(k) ?? '(unset)'} → ${b.get(k) ?? '(unset)'}`);
}

async function readSaved(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`curfew train: ${file}: not valid JSON; run with --no-resume to start over`);
  }
}

/**
 * Gets the run's folder ready: emptied when not resuming; otherwise checked to hold a checkpoint
 * of the same settings, so an edited spec does not silently continue another run's weights.
 * Returns whether there is a checkpoint to resume from.
 */
export async function prepareRunFolder(dir: string, run: TrainRun, resume: boolean): Promise<boolean> {
  if (!resume) await rm(dir, { recursive: true, force: true });
  const file = path.join(dir, RUN_FILE);
  const current: unknown = JSON.parse(JSON.stringify(run));
  const saved = await readSaved(file);
  if (saved !== undefined) {
    const changed = differences(saved, current);
    if (changed.length > 0) {
      const shown =
        changed.slice(0, 3).join(', ') + (changed.length > 3 ? `, +${changed.length - 3} more` : '');
      throw new CliError(
        `curfew train: ${dir} holds a checkpoint of ${run.runId} trained with other settings (${shown}); run with --no-resume to start over`,
      );
    }
  } else {
    await mkdir(dir, { recursive: true });
    await writeFile(file, `${JSON.stringify(current, null, 2)}\n`);
  }
  const entries = await readdir(dir);
  return entries.some((name) => name !== RUN_FILE);
}
