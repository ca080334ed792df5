import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../test/run-cli';

describe('curfew validate', () => {
  it('accepts every spec in examples/', async () => {
    const specs = (await readdir(path.join(REPO_ROOT, 'examples'))).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(specs.length).toBeGreaterThanOrEqual(2);
    const result = await runCli(['validate', ...specs.map((f) => `examples/${f}`)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const f of specs) expect(result.stdout).toContain(`examples/${f}: ok`);
  });

  it('validates the specs in a folder: npx curfew validate examples/*, as the README writes it', async () => {
    const entries = (await readdir(path.join(REPO_ROOT, 'examples'))).map((f) => `examples/${f}`);
    expect(entries).toContain('examples/demo');
    const result = await runCli(['validate', ...entries]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('examples/demo/new-task-auto.yaml: ok (demo-add-auto)');
    expect(result.stdout).toContain('examples/kv-qa-sweep.yaml: ok');
  });

  it('says so when a folder holds no spec', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'curfew-validate-'));
    const result = await runCli(['validate', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${dir}: no spec files (.yaml, .yml, .json) in this folder\n`);
  });

  it('prints one line per mistake, each with its path, and exits non-zero', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'curfew-validate-'));
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: Bad Name',
        'task:',
        '  family: kv-qa',
        '  parmas: { pairs: 4 }',
        'model:',
        '  family: lstm',
        'budget:',
        '  max_tokens_per_run: -5',
        'policy:',
        '  name: patience',
        '  patience: -1',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.startsWith(`${file}:`))).toBe(true);
    expect(result.stderr).toContain('budget.max_tokens_per_run: expected a positive integer, got -5');
    expect(result.stderr).toMatch(/:1:\d+: name: /);
    expect(result.stderr).toMatch(/task\.parmas: unknown key/);
    expect(result.stderr).toMatch(/model\.family: expected one of .*got "lstm"/);
    expect(result.stderr).toMatch(/policy\.patience: /);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'curfew-validate-'));
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'name: ok\ntask: { family: add\nmodel: x\n');
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  it('names a missing file', async () => {
    const result = await runCli(['validate', 'examples/no-such-spec.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('examples/no-such-spec.yaml');
  });

  it('refuses a call without specs with a usage error', async () => {
    const result = await runCli(['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
