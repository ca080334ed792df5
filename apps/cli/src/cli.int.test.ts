import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './test/run-cli';

describe('curfew', () => {
  it('--help lists the commands and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+validate\s+/m);
    expect(result.stdout).toMatch(/^\s+sql\s+/m);
    expect(result.stdout).toMatch(/^\s+tasks\s+/m);
    expect(result.stdout).toMatch(/^\s+train\s+/m);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`curfew ${version}`);
  });

  it('names an unknown command in one line and exits 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^curfew: unknown command "frobnicate"/);
  });

  it('names an unknown option in one line', async () => {
    const result = await runCli(['sql', '--frobnicate', 'select 1']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--frobnicate');
  });

  it('names an unknown top-level option as an option', async () => {
    const result = await runCli(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('curfew: unknown option --bogus (see curfew --help)');
  });
});
