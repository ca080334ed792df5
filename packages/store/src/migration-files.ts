import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError, messageOf } from './errors.js';

/** The repo's `migrations/` folder, found relative to this package's source. */
export const DEFAULT_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations/', import.meta.url));

export interface MigrationFile {
  /** Journal tag, e.g. `0001_views`; the file is `<tag>.sql`. */
  tag: string;
  file: string;
  /** sha256 (hex) of the file's bytes. */
  hash: string;
  statements: string[];
}

interface Journal {
  entries: { idx: number; tag: string }[];
}

const BREAKPOINT = '--> statement-breakpoint';

/** Reads the migrations listed in `meta/_journal.json`, in journal order. */
export async function readMigrationFiles(folder: string): Promise<MigrationFile[]> {
  const journalPath = join(folder, 'meta', '_journal.json');
  let journal: Journal;
  try {
    journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
  } catch (error) {
    throw new MigrationError(`cannot read the migration journal ${journalPath}: ${messageOf(error)}`);
  }
  const entries = [...journal.entries].sort((a, b) => a.idx - b.idx);
  return Promise.all(
    entries.map(async ({ tag }) => {
      const file = join(folder, `${tag}.sql`);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new MigrationError(`cannot read migration ${file}: ${messageOf(error)}`);
      }
      const hash = createHash('sha256').update(text).digest('hex');
      const statements = text
        .split(BREAKPOINT)
        .map((s) => s.trim())
        .filter((s) => !isOnlyComments(s));
      return { tag, file, hash, statements };
    }),
  );
}

function isOnlyComments(statement: string): boolean {
  return statement.replace(/--[^\n]*/g, '').trim() === '';
}
