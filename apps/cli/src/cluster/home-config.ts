import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file';
import { CliError } from '../errors';

/**
 * What a curfew home remembers between commands (`$CURFEW_HOME/config.json`): the PostgreSQL
 * server `curfew up` (or `curfew demo`) set it up with, so every later command from the same home
 * reads the same database, while a cluster runs and after it has stopped. No file: the embedded
 * database. The file is private (0600): a DATABASE_URL given to `curfew up` may hold a password.
 */
export const HomeConfig = z.strictObject({
  /** `postgres://…`: the database every command of this home uses unless DATABASE_URL is set. */
  database_url: z.string().min(1),
  /** The command that chose it (`curfew up`, `curfew demo`) and when. */
  chosen_by: z.string(),
  chosen_at: z.string(),
});
export type HomeConfig = z.infer<typeof HomeConfig>;

export const homeConfigFile = (home: string) => path.resolve(home, 'config.json');

/** The home's config, or null when it has none; a damaged file is a one-line error. */
export function readHomeConfig(home: string): HomeConfig | null {
  const file = homeConfigFile(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`curfew: cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(
      `curfew: ${file} is not valid JSON; fix it, or delete it to use the embedded database`,
    );
  }
  const parsed = HomeConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `curfew: ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; fix it, or delete it to use the embedded database`,
    );
  }
  return parsed.data;
}

/** Remembers the database of this home (atomically, readable by its owner only). */
export function writeHomeConfig(home: string, config: HomeConfig): void {
  writeFileAtomic(homeConfigFile(home), `${JSON.stringify(config, null, 2)}\n`, 0o600);
}

/** Forgets the server: later commands of this home use the embedded database. */
export function removeHomeConfig(home: string): void {
  rmSync(homeConfigFile(home), { force: true });
}
