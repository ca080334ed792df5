import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBundle, writeBundle } from './checkpoint-files';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('checkpoint bundles', () => {
  it('round-trips named arrays and metadata, keeping one binary per manifest', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'curfew-ckpt-'));
    await writeBundle(dir, 'latest', { step: 1 }, new Map([['a', Float32Array.of(1, 2, 3)]]));
    await writeFile(path.join(dir, 'orphan.bin.1234.tmp'), 'half written');
    await writeBundle(
      dir,
      'latest',
      { step: 2 },
      new Map([
        ['a', Float32Array.of(4, 5, 6)],
        ['b', Float32Array.of(0.5)],
      ]),
    );
    const bundle = await readBundle<{ step: number }>(dir, 'latest');
    expect(bundle?.meta).toEqual({ step: 2 });
    expect([...(bundle?.arrays.get('a') ?? [])]).toEqual([4, 5, 6]);
    expect([...(bundle?.arrays.get('b') ?? [])]).toEqual([0.5]);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads no checkpoint as null and a truncated binary as an error naming the file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'curfew-ckpt-'));
    expect(await readBundle(dir, 'latest')).toBeNull();
    await writeBundle(dir, 'latest', {}, new Map([['w', new Float32Array(100)]]));
    const [bin] = (await readdir(dir)).filter((f) => f.endsWith('.bin'));
    await truncate(path.join(dir, bin as string), 40);
    await expect(readBundle(dir, 'latest')).rejects.toThrow(/latest-.*\.bin: truncated \(array w\)/);
  });
});
