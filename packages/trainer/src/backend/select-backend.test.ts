import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES, parseBackendName, selectBackend } from './select-backend';

describe('selectBackend', () => {
  it('uses a forced backend and says so', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
  });

  it('refuses a forced backend that is not installed, naming it, instead of falling back', async () => {
    await expect(selectBackend('node-gpu')).rejects.toThrow(
      /^CURFEW_BACKEND=node-gpu: the node-gpu backend is unavailable \(/,
    );
  });

  it('falls back past missing native backends to the best one that loads', async () => {
    const selected = await selectBackend();
    expect(['node-gpu', 'node', 'wasm', 'cpu']).toContain(selected.name);
    if (selected.name === 'wasm')
      expect(selected.skipped).toMatchObject({ 'node-gpu': expect.any(String), node: expect.any(String) });
  });
});

describe('parseBackendName', () => {
  it('names the valid backends when given another', () => {
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(() => parseBackendName('gpu')).toThrow(
      'CURFEW_BACKEND: expected one of node-gpu, node, wasm, cpu, got "gpu"',
    );
  });
});
