import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homeConfigFile, readHomeConfig, removeHomeConfig, writeHomeConfig } from './home-config';

let home = '';
afterEach(() => rm(home, { recursive: true, force: true }));

describe('the curfew home config', () => {
  it('remembers the database, readable by its owner only, and forgets it', async () => {
    home = await mkdtemp(path.join(tmpdir(), 'curfew-home-'));
    expect(readHomeConfig(home)).toBeNull();
    const config = {
      database_url: 'postgres://u:pw@127.0.0.1:5432/curfew',
      chosen_by: 'curfew up',
      chosen_at: 'now',
    };
    writeHomeConfig(home, config);
    expect(readHomeConfig(home)).toEqual(config);
    expect((await stat(homeConfigFile(home))).mode & 0o777).toBe(0o600);
    removeHomeConfig(home);
    expect(readHomeConfig(home)).toBeNull();
  });

  it('says in one line what is wrong with a damaged file, and how to get out', async () => {
    home = await mkdtemp(path.join(tmpdir(), 'curfew-home-'));
    await writeFile(homeConfigFile(home), '{"database_url": 3}');
    expect(() => readHomeConfig(home)).toThrow(
      `curfew: ${homeConfigFile(home)}: database_url: Invalid input: expected string, received number; fix it, or delete it to use the embedded database`,
    );
    await writeFile(homeConfigFile(home), '{');
    expect(() => readHomeConfig(home)).toThrow(/is not valid JSON; fix it, or delete it/);
  });
});
