import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSpecFile } from './load-spec-file.js';
import { designExampleYaml } from './test-specs.js';

describe('loadSpecFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'curfew-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a YAML file', async () => {
    const path = join(dir, 'sweep.yaml');
    await writeFile(path, designExampleYaml);
    const result = await loadSpecFile(path);
    expect(result.ok && result.spec.name).toBe('kv-qa-sweep');
  });

  it('reads a JSON file with a byte-order mark', async () => {
    const path = join(dir, 'spec.json');
    await writeFile(path, '\uFEFF{"name": "j", "task": {"family": "add"}, "model": {"family": "mlp"}}');
    const result = await loadSpecFile(path);
    expect(result.ok).toBe(true);
  });

  it('reports a missing file or a directory as a problem, not a throw', async () => {
    expect(await loadSpecFile(join(dir, 'missing.yaml'))).toEqual({
      ok: false,
      problems: [{ path: '(file)', message: 'file not found' }],
    });
    expect(await loadSpecFile(dir)).toEqual({
      ok: false,
      problems: [{ path: '(file)', message: 'expected a file, got a directory' }],
    });
  });
});
