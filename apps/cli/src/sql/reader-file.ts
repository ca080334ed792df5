import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReaderCredentials } from '@curfew/store';
import { writeFileAtomic } from '../atomic-file';

/**
 * The passwords of `curfew sql`'s read-only roles, one per database (`host:port/database`), kept
 * in `$CURFEW_HOME/sql-reader.json`, readable by its owner only (0600).
 */
export const readerFile = (home: string) => path.resolve(home, 'sql-reader.json');

type ReaderFile = Record<string, ReaderCredentials>;

function readAll(home: string): ReaderFile {
  try {
    const json = JSON.parse(readFileSync(readerFile(home), 'utf8')) as unknown;
    return json !== null && typeof json === 'object' ? (json as ReaderFile) : {};
  } catch {
    // Missing or damaged: the role is set up again with a new password.
    return {};
  }
}

export function readReader(home: string, location: string): ReaderCredentials | null {
  const found = readAll(home)[location];
  return typeof found?.user === 'string' && typeof found.password === 'string' ? found : null;
}

export function saveReader(home: string, location: string, reader: ReaderCredentials): void {
  const all = { ...readAll(home), [location]: reader };
  writeFileAtomic(readerFile(home), `${JSON.stringify(all, null, 2)}\n`, 0o600);
}
