import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchFolder } from '../test-support';
import { train } from '../train/train-run';
import { normalizeFileAnswer } from './file-task';
import { loadModuleTask } from './module-task';

const scratch = scratchFolder('curfew-module-task-');
const moduleFile = scratch.file;

const COLOURS = `
const words = ['red', 'green', 'blue', 'gold'];
const pairs = (n, offset) => Array.from({ length: n }, (_, i) => {
  const w = words[(i + offset) % 4];
  return { input: 'say ' + w + ' now #' + ((i + offset) % 16), target: w.toUpperCase() };
});
export function examples(params) {
  return { train: pairs(params.train ?? 48, 0), val: pairs(16, 1) };
}
export const normalize = (answer) => answer.toLowerCase();
`;

describe('a task from a module', () => {
  it('builds its data from examples(params), and EM uses its normalize', async () => {
    const file = await moduleFile('colours.mjs', COLOURS);
    const data = await loadModuleTask({ module: file, params: { train: 8 } });
    expect(data).toMatchObject({ family: 'module', inputLength: 5, targetLength: 1 });
    expect(data.train).toHaveLength(8);
    expect(normalizeFileAnswer(data.val[0]?.target ?? [], data)).toBe('green');
    const summary = await train(
      {
        runId: 'module-1/0',
        task: { family: 'module', module: file, params: {} },
        model: { family: 'mlp', params: { hidden: 32, layers: 1, lr: 0.03, batch_size: 16, seed: 0 } },
        budgetTokens: 30_000,
        evalEveryTokens: 3_000,
        policy: { name: 'none' },
      },
      { backend: 'cpu' },
    );
    expect(summary.deployedEm).toBeGreaterThan(0.9);
  }, 60_000);

  it('names the module and what is missing or wrong', async () => {
    const none = await moduleFile('none.mjs', 'export const data = [];\n');
    await expect(loadModuleTask({ module: none })).rejects.toThrow(
      `task.module: ${none} has no export examples (expected export function examples(params) returning { train, val }, lists of { input, target } strings)`,
    );
    const broken = await moduleFile('broken.mjs', 'export function examples( {\n');
    await expect(loadModuleTask({ module: broken })).rejects.toThrow(
      new RegExp(`^task.module: cannot import ${broken} \\(`),
    );
    await expect(loadModuleTask({ module: path.join(scratch.dir(), 'missing.mjs') })).rejects.toThrow(
      /^task.module: cannot import .*missing.mjs/,
    );
    const bad = await moduleFile(
      'bad.mjs',
      'export const examples = () => ({ train: [{ input: "x", target: 3 }], val: [] });\n',
    );
    await expect(loadModuleTask({ module: bad })).rejects.toThrow(
      `task.module: ${bad}: examples(params).train[0].target: expected a non-empty string, got 3`,
    );
    const throws = await moduleFile(
      'throws.mjs',
      'export function examples() { throw new Error("no data here"); }\n',
    );
    await expect(loadModuleTask({ module: throws })).rejects.toThrow(
      `task.module: ${throws}: examples(params) threw: no data here`,
    );
    const norm = await moduleFile(
      'norm.mjs',
      'export const examples = () => ({ train: [], val: [] });\nexport const normalize = 3;\n',
    );
    await expect(loadModuleTask({ module: norm })).rejects.toThrow(/its export normalize is not a function/);
  });
});
