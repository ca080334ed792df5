import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { TrainRun } from './train/types';

/** A run small enough for unit tests on the plain JS backend (well under a second per run). */
export function tinyRun(overrides: Partial<TrainRun> = {}): TrainRun {
  return {
    runId: 'tiny/0',
    task: {
      family: 'reverse',
      params: { length: 3, vocab: 5, train_examples: 80, val_examples: 40, seed: 1 },
    },
    model: {
      family: 'mlp',
      params: {
        hidden: 16,
        layers: 1,
        dropout: 0,
        lr: 0.02,
        batch_size: 8,
        optimizer: 'adam',
        weight_decay: 0,
        seed: 3,
      },
    },
    budgetTokens: 4_800,
    evalEveryTokens: 480,
    policy: { name: 'none' },
    ...overrides,
  };
}

/**
 * A fresh temporary folder for each test of the calling file (removed after it): `dir()` is its
 * path, `file(name, text)` writes a file in it and returns the file's path.
 */
export function scratchFolder(prefix: string): {
  dir: () => string;
  file: (name: string, text: string) => Promise<string>;
} {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    async file(name, text) {
      const file = path.join(dir, name);
      await writeFile(file, text);
      return file;
    },
  };
}
