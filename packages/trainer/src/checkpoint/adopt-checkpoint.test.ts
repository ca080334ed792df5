import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evalDifferences } from '../same-evals';
import { tinyRun } from '../test-support';
import { train } from '../train/train-run';
import type { TrainEval } from '../train/types';
import { adoptCheckpoint, checkpointStep } from './adopt-checkpoint';

let root = '';
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('adoptCheckpoint', () => {
  it("copies another attempt's checkpoint into this attempt's folder, which then resumes as the original would", async () => {
    root = await mkdtemp(path.join(tmpdir(), 'curfew-adopt-'));
    const [first, second] = [path.join(root, 'attempt-1'), path.join(root, 'attempt-2')];
    const reference: TrainEval[] = [];
    await train(tinyRun(), { backend: 'cpu', onEval: (e) => void reference.push(e) });
    const controller = new AbortController();
    const before: TrainEval[] = [];
    await train(tinyRun(), {
      backend: 'cpu',
      checkpointDir: first,
      signal: controller.signal,
      onEval: (e) => {
        before.push(e);
        if (e.step === 40) controller.abort();
      },
    });
    expect(await checkpointStep(first)).toBe(40);
    expect(await checkpointStep(path.join(root, 'missing'))).toBeNull();
    // Only the step that was asked for is adopted: the folder may have moved on.
    expect(await adoptCheckpoint(first, second, 30)).toBe(false);
    expect(await adoptCheckpoint(first, second, 40)).toBe(true);
    const firstFiles = await readdir(first);
    const after: TrainEval[] = [];
    await train(tinyRun(), { backend: 'cpu', checkpointDir: second, onEval: (e) => void after.push(e) });
    expect(evalDifferences([...before, ...after], reference)).toEqual([]);
    // The other attempt's files are never touched.
    expect(await readdir(first)).toEqual(firstFiles);
  });
});
