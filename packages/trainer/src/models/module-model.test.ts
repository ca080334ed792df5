import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scratchFolder } from '../test-support';
import { train } from '../train/train-run';
import { loadModelModule } from './module-model';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/models/two-layer.mjs', import.meta.url));
const SHAPE = { inputLength: 3, targetLength: 3, vocabSize: 5 };

const scratch = scratchFolder('curfew-module-model-');
const moduleFile = scratch.file;

describe('a model from a module', () => {
  it('trains the example module on a built-in task well above chance, checkpointed by variable name', async () => {
    const checkpointDir = path.join(scratch.dir(), 'ckpt');
    const summary = await train(
      {
        runId: 'own-model-1/0',
        task: { family: 'reverse', params: { length: 3, vocab: 8, train_examples: 400, val_examples: 100 } },
        model: {
          family: 'module',
          module: EXAMPLE,
          params: { hidden: 64, lr: 0.01, batch_size: 32, seed: 0 },
        },
        budgetTokens: 60_000,
        evalEveryTokens: 6_000,
        policy: { name: 'none' },
      },
      { backend: 'cpu', checkpointDir },
    );
    // Chance on a 3-position answer over 8 symbols is (1/8)^3 ≈ 0.002.
    expect(summary.deployedEm).toBeGreaterThan(0.5);
    expect(summary.trainFlops).toBeGreaterThan(0);
    const files = await readdir(checkpointDir);
    const latest = files.filter((f) => f.startsWith('latest')).map((f) => path.join(checkpointDir, f));
    const text = (await Promise.all(latest.map((f) => readFile(f, 'latin1')))).join('');
    for (const name of ['w:w1', 'w:b1', 'w:w2', 'w:b2']) expect(text).toContain(name);
  }, 120_000);

  it('names the module and what is missing or wrong', async () => {
    const none = await moduleFile('none.mjs', 'export const model = {};\n');
    await expect(loadModelModule(none)).rejects.toThrow(
      `model.module: ${none} has no export createModel (expected export function createModel({ tf, params, shape, seed }) returning { variables, apply })`,
    );
    const missing = path.join(scratch.dir(), 'missing.mjs');
    await expect(loadModelModule(missing)).rejects.toThrow(`model.module: cannot import ${missing} (`);
    const noApply = await moduleFile(
      'no-apply.mjs',
      'export const createModel = () => ({ variables: {} });\n',
    );
    await expect(loadModelModule(noApply).then((f) => f({}, SHAPE, 0))).rejects.toThrow(
      `model.module: ${noApply}: createModel(…): expected an object with apply(inputs, options)`,
    );
    const notVariables = await moduleFile(
      'not-variables.mjs',
      'export const createModel = () => ({ variables: { w: [1, 2] }, apply: (x) => x });\n',
    );
    await expect(loadModelModule(notVariables).then((f) => f({}, SHAPE, 0))).rejects.toThrow(
      `model.module: ${notVariables}: createModel(…).variables.w: expected a tf.Variable made with the tf it was given, got object`,
    );
    const throws = await moduleFile(
      'throws.mjs',
      "export const createModel = () => { throw new Error('needs params.hidden'); };\n",
    );
    await expect(loadModelModule(throws).then((f) => f({}, SHAPE, 0))).rejects.toThrow(
      `model.module: ${throws}: createModel(…) threw: needs params.hidden`,
    );
  });
});
